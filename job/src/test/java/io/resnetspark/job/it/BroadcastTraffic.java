package io.resnetspark.job.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.storage.BlockUpdatedInfo;
import org.apache.spark.storage.BroadcastBlockId;

/**
 * Which broadcast blocks each block manager stored, from Spark's block-update events: the driver stores the pieces
 * of a broadcast it creates, an executor stores each piece it fetches (and reports it, so that other executors may
 * fetch from it). So the events show how often, and as what, a model's bytes travelled to each executor.
 */
final class BroadcastTraffic extends SparkListener {
  /** One stored piece: which broadcast, which piece, how many bytes. */
  record Piece(long broadcastId, String piece, long bytes) {
  }

  private final Map<String, List<Piece>> byBlockManager = new TreeMap<>();

  @Override
  public synchronized void onBlockUpdated(SparkListenerBlockUpdated event) {
    BlockUpdatedInfo info = event.blockUpdatedInfo();
    // Pieces only (the deserialized value, broadcast_N without a piece, is never reported to the driver), and only
    // stores, not the removal of a block (storage level NONE).
    if (info.blockId() instanceof BroadcastBlockId block && block.field().startsWith("piece")
        && info.storageLevel().isValid()) {
      byBlockManager.computeIfAbsent(info.blockManagerId().executorId(), k -> new ArrayList<>())
          .add(new Piece(block.broadcastId(), block.field(), info.memSize() + info.diskSize()));
    }
  }

  /** The pieces each block manager stored, by executor id ({@code driver} for the driver), in arrival order. */
  synchronized Map<String, List<Piece>> piecesByExecutor() {
    Map<String, List<Piece>> copy = new TreeMap<>();
    byBlockManager.forEach((executor, pieces) -> copy.put(executor, List.copyOf(pieces)));
    return copy;
  }
}
