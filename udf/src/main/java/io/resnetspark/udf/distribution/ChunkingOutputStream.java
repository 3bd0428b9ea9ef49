package io.resnetspark.udf.distribution;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Cuts everything written to it into chunks of exactly {@code chunkBytes} (the last one shorter) and hands each to a
 * sink as soon as it is full, so no more than one chunk is ever held here, however large the model.
 */
final class ChunkingOutputStream extends OutputStream {
  /** Receives chunks in order; it owns each array it is given. */
  @FunctionalInterface
  public interface ChunkSink {
    void accept(int index, byte[] chunk) throws IOException;
  }

  private final int chunkBytes;
  private final ChunkSink sink;
  private byte[] current;
  private int filled;
  private int chunks;
  private boolean closed;

  ChunkingOutputStream(int chunkBytes, ChunkSink sink) {
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("chunk size must be positive, got " + chunkBytes);
    }
    this.chunkBytes = chunkBytes;
    this.sink = sink;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (closed) {
      throw new IOException("chunk stream already closed");
    }
    while (length > 0) {
      if (current == null) {
        current = new byte[chunkBytes];
        filled = 0;
      }
      int n = Math.min(length, chunkBytes - filled);
      System.arraycopy(bytes, offset, current, filled, n);
      filled += n;
      offset += n;
      length -= n;
      if (filled == chunkBytes) {
        emit(current);
      }
    }
  }

  /** Emits the last, partial chunk. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (current != null && filled > 0) {
      emit(Arrays.copyOf(current, filled));
    }
  }

  int chunkCount() {
    return chunks;
  }

  private void emit(byte[] chunk) throws IOException {
    current = null;
    filled = 0;
    sink.accept(chunks++, chunk);
  }
}
