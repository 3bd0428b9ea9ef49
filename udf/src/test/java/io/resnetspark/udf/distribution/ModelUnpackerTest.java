package io.resnetspark.udf.distribution;

import io.resnetspark.udf.testing.TestImages;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelUnpackerTest {
  @TempDir
  Path tmp;
  private Path model;
  private ModelPackage.Packed packed;
  private final List<byte[]> chunks = new ArrayList<>();

  @BeforeEach
  void packASmallModel() throws IOException {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.write(model.resolve("saved_model.pb"), TestImages.randomBytes(3, 50));
    Files.createDirectories(model.resolve("assets"));
    Files.writeString(model.resolve("assets/model.json"), "{\"format_version\": 1}");
    packed = ModelPackage.pack(model.toString(), new Configuration(), 6, (i, c) -> chunks.add(c));
  }

  @Test
  void restoresTheFilesFromChunksThatCutAcrossFileBoundaries() throws IOException {
    Path target = tmp.resolve("out/unpacked");
    ModelUnpacker.unpack(packed.manifest(), chunks.iterator(), target, packed.sha256(), "test");

    assertArrayEquals(Files.readAllBytes(model.resolve("saved_model.pb")),
        Files.readAllBytes(target.resolve("saved_model.pb")));
    assertEquals(Files.readString(model.resolve("assets/model.json")),
        Files.readString(target.resolve("assets/model.json")));
  }

  @Test
  void aDamagedChunkFailsTheDigestCheckWithBothDigestsInTheMessage() {
    chunks.get(3)[2] ^= 0x40;
    Path target = tmp.resolve("damaged");
    ModelUnpacker.DigestMismatchException e = assertThrows(ModelUnpacker.DigestMismatchException.class,
        () -> ModelUnpacker.unpack(packed.manifest(), chunks.iterator(), target, packed.sha256(), "s3a://m/x"));
    assertTrue(e.getMessage().startsWith("model from s3a://m/x failed its SHA-256 check after unpacking"),
        e.getMessage());
    assertTrue(e.getMessage().contains("expected " + packed.sha256()), e.getMessage());
  }

  @Test
  void missingOrSurplusBytesAreErrors() {
    List<byte[]> shortOne = chunks.subList(0, chunks.size() - 1);
    IOException missing = assertThrows(IOException.class, () -> ModelUnpacker.unpack(packed.manifest(),
        shortOne.iterator(), tmp.resolve("short"), packed.sha256(), "test"));
    assertTrue(missing.getMessage().contains("ended"), missing.getMessage());

    List<byte[]> longer = new ArrayList<>(chunks);
    longer.add(new byte[] {1});
    IOException surplus = assertThrows(IOException.class, () -> ModelUnpacker.unpack(packed.manifest(),
        longer.iterator(), tmp.resolve("long"), packed.sha256(), "test"));
    assertTrue(surplus.getMessage().contains("more bytes than its manifest"), surplus.getMessage());
  }

  @Test
  void neverWritesIntoAnExistingDirectory() throws IOException {
    Path existing = Files.createDirectories(tmp.resolve("existing"));
    assertThrows(FileAlreadyExistsException.class, () -> ModelUnpacker.unpack(packed.manifest(),
        chunks.iterator(), existing, packed.sha256(), "test"));
  }
}
