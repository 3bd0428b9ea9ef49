package io.resnetspark.udf.distribution;

import io.resnetspark.udf.testing.SparkTestSession;
import io.resnetspark.udf.testing.TestModels;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelBroadcastsTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start("ModelBroadcastsTest");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @AfterEach
  void defaultChunkSize() {
    spark.conf().unset(ModelBroadcasts.CHUNK_BYTES_CONF);
  }

  @Test
  void aModelIsBroadcastOncePerApplicationInChunksOfTheConfiguredSize() throws IOException {
    spark.conf().set(ModelBroadcasts.CHUNK_BYTES_CONF, "4m");
    Path model = TestModels.distinct("broadcasts-once");
    BroadcastModel first = ModelBroadcasts.get(spark, model.toString());
    assertSame(first, ModelBroadcasts.get(spark, model.toString()));
    assertSame(first, ModelBroadcasts.get(spark, model.toUri().toString()), "another spelling of the same path");
    assertEquals((first.manifest().totalBytes() + (4 << 20) - 1) / (4 << 20), first.chunkCount());
  }

  @Test
  void aChangedDirectoryIsPackedAgain() throws IOException {
    Path model = TestModels.distinct("broadcasts-changed");
    BroadcastModel before = ModelBroadcasts.get(spark, model.toString());
    Files.writeString(model.resolve("assets/tag.txt"), "changed contents of another length");
    BroadcastModel after = ModelBroadcasts.get(spark, model.toString());
    assertNotEquals(before.sha256(), after.sha256());
    assertSame(after, ModelBroadcasts.get(spark, model.toString()));
  }

  @Test
  void aMissingPathOrABadChunkSizeIsAnErrorOnTheDriver() {
    assertThrows(FileNotFoundException.class, () -> ModelBroadcasts.get(spark, "/no/such/model"));
    spark.conf().set(ModelBroadcasts.CHUNK_BYTES_CONF, "2g");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelBroadcasts.get(spark, TestModels.distinct("broadcasts-conf").toString()));
    assertEquals(ModelBroadcasts.CHUNK_BYTES_CONF + " must be between 1 byte and 1g, got 2147483648",
        e.getMessage());
  }
}
