package io.resnetspark.udf;

import io.resnetspark.model.io.Directories;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.udf.PredictionSchema.Entry;
import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.batch.ImageColumn;
import io.resnetspark.udf.batch.PixelDecoder;
import io.resnetspark.udf.batch.PreprocessorDecoder;
import io.resnetspark.udf.errors.ImageFailure;
import io.resnetspark.udf.testing.SparkTestSession;
import io.resnetspark.udf.testing.TestImages;
import io.resnetspark.udf.testing.TestModels;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResNetFunctionsTest {
  private static final int IMAGES = 8;
  private static SparkSession spark;
  private static Path model;
  private static List<byte[]> images;

  @BeforeAll
  static void startSparkAndRegister() throws IOException {
    spark = SparkTestSession.start("ResNetFunctionsTest");
    model = TestModels.resnet18(1);
    images = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      images.add(TestImages.png(300 + i, 60 + 5 * i, 45 + 2 * i));
    }
    ResNetFunctions.register(spark, model.toString(), 10);
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("content", DataTypes.BinaryType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      rows.add(RowFactory.create(i, images.get(i)));
    }
    spark.createDataFrame(rows, schema).coalesce(1).createOrReplaceTempView("images");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static List<Prediction> predictionsOf(Dataset<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows.collectAsList());
    sorted.sort(Comparator.comparingInt(r -> r.getInt(0)));
    return sorted.stream().map(r -> Prediction.fromRow(r.getStruct(1))).toList();
  }

  private static List<Prediction> sql(String function) {
    return predictionsOf(spark.sql("SELECT id, " + function + "(content) FROM images"));
  }

  /** The images, preprocessed by the same decoder, run straight through the SavedModel in batches of {@code n}. */
  private static List<float[]> direct(int n, boolean embeddings) throws IOException {
    PixelDecoder decoder = PreprocessorDecoder.DEFAULT.create(TestModels.SPEC);
    List<float[]> out = new ArrayList<>();
    try (SavedResNet net = SavedResNet.load(model, SavedResNet.Options.cpu(1, 2))) {
      for (int first = 0; first < IMAGES; first += n) {
        int count = Math.min(n, IMAGES - first);
        FloatBuffer pixels = FloatBuffer.allocate(count * decoder.outputSize());
        for (int i = first; i < first + count; i++) {
          ImageColumn.decode(images.get(i), decoder, pixels);
        }
        SavedResNet.Prediction p = net.predict(pixels.flip(), count, TestModels.CROP, TestModels.CROP, embeddings);
        float[] values = embeddings ? p.embeddings() : p.probabilities();
        int per = values.length / count;
        for (int i = 0; i < count; i++) {
          out.add(Arrays.copyOfRange(values, i * per, (i + 1) * per));
        }
      }
    } catch (ImageFailure e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static void assertSameAsDirect(List<float[]> direct, List<Prediction> predictions) {
    for (int i = 0; i < IMAGES; i++) {
      float[] expected = direct.get(i);
      Prediction p = predictions.get(i);
      assertEquals(expected.length, p.topK().size());
      for (Entry e : p.topK()) {
        assertEquals(expected[e.index()], e.probability(), 0f, "image " + i + " class " + e.index());
        assertEquals(TestModels.LABELS.get(e.index()), e.label());
      }
    }
  }

  @Test
  void classifyImageInSqlEqualsTheSavedModelRunOnEachImage() throws IOException {
    assertSameAsDirect(direct(1, false), sql(ResNetFunctions.CLASSIFY_IMAGE));
  }

  @Test
  void theTransformerEqualsTheSavedModelRunOnTheSameBatchesAndSqlImageByImage() throws IOException {
    Dataset<Row> df = spark.table("images");
    ResNetClassifier classifier = new ResNetClassifier().setModelPath(model.toString()).setTopK(10);

    List<Prediction> batchesOfFour = predictionsOf(classifier.setBatchSize(4).transform(df).select("id",
        "prediction"));
    assertSameAsDirect(direct(4, false), batchesOfFour);
    List<Prediction> oneByOne = predictionsOf(classifier.setBatchSize(1).transform(df).select("id", "prediction"));
    assertEquals(sql(ResNetFunctions.CLASSIFY_IMAGE), oneByOne);

    List<Prediction> bySql = sql(ResNetFunctions.CLASSIFY_IMAGE);
    for (int i = 0; i < IMAGES; i++) {
      assertEquals(bySql.get(i).topK().stream().map(Entry::index).toList(),
          batchesOfFour.get(i).topK().stream().map(Entry::index).toList(), "batching changes no ranking");
    }
  }

  @Test
  void imageEmbeddingFillsTheEmbeddingOfTheSameStruct() throws IOException {
    List<Prediction> withEmbeddings = sql(ResNetFunctions.IMAGE_EMBEDDING);
    List<float[]> direct = direct(1, true);
    List<Prediction> classified = sql(ResNetFunctions.CLASSIFY_IMAGE);
    for (int i = 0; i < IMAGES; i++) {
      assertArrayEquals(direct.get(i), withEmbeddings.get(i).embedding());
      assertEquals(classified.get(i).topK(), withEmbeddings.get(i).topK());
      assertNull(classified.get(i).embedding());
    }
  }

  @Test
  void nullsAndGarbageBecomeErrorRowsInSqlToo() {
    Row empty = spark.sql("SELECT classify_image(CAST(NULL AS BINARY))").first().getStruct(0);
    assertEquals("EMPTY", empty.getString(5));
    Row text = spark.sql("SELECT classify_image(CAST('hello' AS BINARY))").first().getStruct(0);
    assertEquals("UNSUPPORTED_FORMAT", text.getString(5));
    assertNull(text.get(0));
  }

  @Test
  void theFieldsCanBeSelectedInSql() {
    List<Row> rows = spark.sql("SELECT id, p.label, p.top_k[0].probability FROM (SELECT id, "
        + "classify_image(content) AS p FROM images) ORDER BY id").collectAsList();
    List<Prediction> full = sql(ResNetFunctions.CLASSIFY_IMAGE);
    for (int i = 0; i < IMAGES; i++) {
      assertEquals(full.get(i).best().label(), rows.get(i).getString(1));
      assertEquals(full.get(i).best().probability(), rows.get(i).getFloat(2));
    }
    assertTrue(TestModels.LABELS.contains(rows.get(0).getString(1)));
  }

  @Test
  void imageStructsFromTheImageSourceWorkInSqlLikeTheirBytes() throws IOException {
    Path dir = Files.createTempDirectory("resnet-spark-sql-images");
    try {
      for (int i = 0; i < 3; i++) {
        Files.write(dir.resolve("i" + i + ".png"), images.get(i));
      }
      spark.read().format("image").load(dir.toString()).createOrReplaceTempView("structs");
      spark.read().format("binaryFile").load(dir.toString()).createOrReplaceTempView("files");
      List<Row> structs = spark.sql("SELECT substring_index(image.origin, '/', -1) AS f, classify_image(image) "
          + "FROM structs ORDER BY f").collectAsList();
      List<Row> files = spark.sql("SELECT substring_index(path, '/', -1) AS f, classify_image(content) "
          + "FROM files ORDER BY f").collectAsList();
      assertEquals(3, structs.size());
      assertEquals(files, structs);
      assertNull(structs.get(0).getStruct(1).get(5));
    } finally {
      Directories.deleteQuietly(dir);
    }
  }

  @Test
  void theClassesForPySparkReadTheModelFromTheConf() {
    spark.conf().set(ResNetFunctions.MODEL_PATH_CONF, model.toString());
    spark.conf().set(ResNetFunctions.TOP_K_CONF, "10");
    try {
      spark.udf().registerJava("classify_py", ClassifyImageUdf.class.getName(), PredictionSchema.dataType());
      spark.udf().registerJava("embed_py", ImageEmbeddingUdf.class.getName(), PredictionSchema.dataType());

      assertEquals(sql(ResNetFunctions.CLASSIFY_IMAGE), sql("classify_py"));
      List<Prediction> embedded = sql("embed_py");
      List<Prediction> expected = sql(ResNetFunctions.IMAGE_EMBEDDING);
      for (int i = 0; i < IMAGES; i++) {
        assertArrayEquals(expected.get(i).embedding(), embedded.get(i).embedding());
      }
    } finally {
      spark.conf().unset(ResNetFunctions.MODEL_PATH_CONF);
      spark.conf().unset(ResNetFunctions.TOP_K_CONF);
    }
  }

  @Test
  void withoutTheModelPathConfTheClassSaysWhatToSet() {
    Exception e = assertThrows(Exception.class,
        () -> spark.udf().registerJava("classify_py2", ClassifyImageUdf.class.getName(), PredictionSchema.dataType()));
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t).append('\n');
    }
    assertTrue(messages.toString().contains("set spark.resnet.modelPath to a SavedModel directory"),
        messages.toString());
  }
}
