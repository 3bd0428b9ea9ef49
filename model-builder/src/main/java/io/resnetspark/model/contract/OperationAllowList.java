package io.resnetspark.model.contract;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * The operations a SavedModel may contain before an executor loads it: exactly those the resnet-spark builder emits.
 * Models may come from a shared lake whose writers are not all trusted, and TensorFlow runs a SavedModel's restore
 * and init operations while loading it, so the graph file is judged before any session exists.
 *
 * <p>The builder stores weights as constants, and a graph without variables gets no saver when exported. A
 * resnet18 SavedModel contains Placeholder, Const, Identity, NoOp, PadV2, Conv2D, FusedBatchNormV3, Relu, MaxPoolV2,
 * Add, Mean, MatMul, BiasAdd and Softmax; grouped convolutions add Split and ConcatV2; AddN (the residual sum) and
 * AddV2 are the other forms of addition a builder may emit. All are pure tensor arithmetic.
 *
 * <p>Nothing else is needed, so the checkpoint machinery is refused on purpose: SaveV2, RestoreV2 and
 * MergeV2Checkpoints read and write files at paths held in string constants, and the loader would run the restore
 * before any check. So are all file, network and script operations (ReadFile, WriteFile, PyFunc, ...), function calls
 * (PartitionedCall and friends, which would run graph functions the list cannot see) and anything else not listed.
 * The list lives beside the graph code it must track; its test builds every kind of graph that code emits.
 */
public final class OperationAllowList {
  public static final Set<String> ALLOWED = Set.of(
      "Placeholder", "Const", "Identity", "NoOp",
      "PadV2", "Conv2D", "FusedBatchNormV3", "Relu", "MaxPoolV2",
      "Add", "AddV2", "AddN", "Mean", "MatMul", "BiasAdd", "Softmax",
      "Split", "ConcatV2");

  private OperationAllowList() {
  }

  /** A model that uses an operation outside the allow-list, or that cannot be checked. */
  public static final class ModelRefusedException extends IOException {
    ModelRefusedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Checks the SavedModel in {@code dir}.
   *
   * @throws ModelRefusedException naming each refused operation type and a node that uses it
   */
  public static void check(Path dir, String source) throws ModelRefusedException {
    Map<String, String> declared;
    try {
      declared = declaredOperations(dir);
    } catch (IOException | RuntimeException e) {
      throw new ModelRefusedException("model from " + source + " refused: its graph cannot be read for checking ("
          + e.getMessage() + ")", e);
    }
    StringJoiner refused = new StringJoiner(", ");
    declared.forEach((type, node) -> {
      if (!ALLOWED.contains(type)) {
        refused.add(type + " (node '" + node + "')");
      }
    });
    if (refused.length() > 0) {
      throw new ModelRefusedException("model from " + source + " refused: it uses operations outside the "
          + "resnet-spark allow-list: " + refused + ". Only graphs as the resnet-spark builder writes them are run.",
          null);
    }
  }

  /**
   * Every operation type that the graphs in {@code dir/saved_model.pb} name (graph nodes and library functions), each
   * with the first node that uses it, read from the file without creating a session. Loading a SavedModel runs its
   * restore and init operations, so a model from an untrusted writer must be judged by this before it is loaded.
   *
   * @throws IOException if the file is missing ({@link NoSuchFileException}) or unreadable, or if the directory
   *     holds another graph file that TensorFlow could load instead ({@link SavedModelLayout#OTHER_GRAPH_FILES})
   */
  public static Map<String, String> declaredOperations(Path dir) throws IOException {
    SavedModelLayout.FileProbe files = SavedModelLayout.local(dir);
    Optional<String> other = SavedModelLayout.otherGraphFile(files);
    if (other.isPresent()) {
      throw new IOException(dir + " " + other.get());
    }
    Path file = SavedModelLayout.graphFile(dir);
    Optional<String> missing = SavedModelLayout.missing(SavedModelLayout.Requirement.GRAPH, files);
    if (missing.isPresent()) {
      throw new NoSuchFileException(file.toString(), null, missing.get());
    }
    SavedModel model;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      // Mapped and aliased, so the weight constants are not copied onto the heap just to read the node list.
      MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      model = SavedModel.parseFrom(in);
    }
    Map<String, String> ops = new TreeMap<>();
    for (MetaGraphDef meta : model.getMetaGraphsList()) {
      for (NodeDef node : meta.getGraphDef().getNodeList()) {
        ops.putIfAbsent(node.getOp(), node.getName());
      }
      for (FunctionDef function : meta.getGraphDef().getLibrary().getFunctionList()) {
        for (NodeDef node : function.getNodeDefList()) {
          ops.putIfAbsent(node.getOp(), function.getSignature().getName() + "/" + node.getName());
        }
      }
    }
    return ops;
  }
}
