package io.resnetspark.udf.distribution;

import io.resnetspark.udf.testing.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChunkingOutputStreamTest {
  private final List<byte[]> chunks = new ArrayList<>();
  private final List<Integer> indices = new ArrayList<>();

  private ChunkingOutputStream stream(int chunkBytes) {
    return new ChunkingOutputStream(chunkBytes, (index, chunk) -> {
      indices.add(index);
      chunks.add(chunk);
    });
  }

  @Test
  void cutsTheStreamIntoFullChunksAndAShorterLastOne() throws IOException {
    byte[] data = TestImages.randomBytes(1, 23);
    try (ChunkingOutputStream out = stream(5)) {
      out.write(data, 0, 9);
      out.write(data[9]);
      out.write(data, 10, 13);
    }

    assertEquals(List.of(5, 5, 5, 5, 3), chunks.stream().map(c -> c.length).toList());
    assertEquals(List.of(0, 1, 2, 3, 4), indices);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    chunks.forEach(joined::writeBytes);
    assertArrayEquals(data, joined.toByteArray());
  }

  @Test
  void handsOverEachChunkAsSoonAsItIsFullSoOnlyOneIsEverHeld() throws IOException {
    ChunkingOutputStream out = stream(4);
    out.write(new byte[10], 0, 10);
    assertEquals(2, chunks.size(), "two full chunks leave before close; the partial third stays");
    out.close();
    assertEquals(3, chunks.size());
    assertEquals(2, chunks.get(2).length);
  }

  @Test
  void anExactMultipleEndsWithoutAnEmptyChunk() throws IOException {
    ChunkingOutputStream out = stream(4);
    out.write(new byte[8], 0, 8);
    out.close();
    assertEquals(2, chunks.size());
    assertEquals(2, out.chunkCount());
    assertEquals(List.of(4, 4), chunks.stream().map(c -> c.length).toList());
  }

  @Test
  void refusesANonPositiveChunkSizeAndWritesAfterClose() throws IOException {
    assertThrows(IllegalArgumentException.class, () -> stream(0));
    ChunkingOutputStream out = stream(3);
    out.close();
    assertThrows(IOException.class, () -> out.write(1));
  }
}
