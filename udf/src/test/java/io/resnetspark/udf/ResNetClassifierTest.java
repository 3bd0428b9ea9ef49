package io.resnetspark.udf;

import io.resnetspark.udf.PredictionSchema.Entry;
import io.resnetspark.udf.PredictionSchema.Prediction;
import io.resnetspark.udf.distribution.BroadcastModel;
import io.resnetspark.udf.distribution.ModelBroadcasts;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.image.ImageLimits;
import io.resnetspark.udf.runtime.ExecutorModelCache;
import io.resnetspark.udf.testing.SparkTestSession;
import io.resnetspark.udf.testing.TestImages;
import io.resnetspark.udf.testing.TestModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResNetClassifierTest {
  private static final Path CORPUS = Path.of("src/test/resources/images/corpus");
  private static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start("ResNetClassifierTest");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static Dataset<Row> binaryImages(List<byte[]> contents, int partitions) {
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("content", DataTypes.BinaryType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < contents.size(); i++) {
      rows.add(RowFactory.create(i, contents.get(i)));
    }
    return spark.createDataFrame(rows, schema).repartition(partitions).sortWithinPartitions("id");
  }

  private static List<Row> sortedById(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt(r -> r.getInt(0)));
    return sorted;
  }

  /** The image corpus: each file with the error code its README expects, null for a good image. */
  private static Map<String, ErrorCode> corpus() throws IOException {
    Map<String, ErrorCode> expected = new TreeMap<>();
    for (String line : Files.readAllLines(CORPUS.resolve("README.txt"))) {
      if (!line.startsWith("#") && !line.isBlank()) {
        String[] fields = line.split("\t");
        expected.put(fields[0], fields[1].equals("OK") ? null : ErrorCode.valueOf(fields[1]));
      }
    }
    return expected;
  }

  @ParameterizedTest(name = "decodeMode {0}")
  @ValueSource(strings = {"exact", "reduced"})
  void aMixedCorpusGivesOneRowPerInputAndTheRightCodeForEachBadImage(String decodeMode) throws IOException {
    Map<String, ErrorCode> corpus = corpus();
    List<String> names = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (String file : corpus.keySet()) {
      names.add(file);
      contents.add(Files.readAllBytes(CORPUS.resolve(file)));
    }
    names.add("(null)");
    contents.add(null);
    assertTrue(corpus.containsValue(ErrorCode.TOO_LARGE) && corpus.containsValue(ErrorCode.CORRUPT)
        && corpus.containsValue(ErrorCode.UNSUPPORTED_FORMAT) && corpus.containsValue(ErrorCode.EMPTY)
        && corpus.containsValue(null), "the corpus has good images and every kind of bad one");
    ResNetClassifier classifier = classifier(TestModels.resnet18(1)).setBatchSize(4).setTopK(3)
        .setDecodeMode(decodeMode);

    Dataset<Row> result = classifier.transform(binaryImages(contents, 8));
    List<Row> out = sortedById(result.collectAsList());

    assertEquals(decodeMode,
        result.schema().apply("prediction").metadata().getString(ResNetClassifier.DECODE_MODE_METADATA_KEY));

    assertEquals(contents.size(), out.size());
    for (int i = 0; i < out.size(); i++) {
      Row row = out.get(i);
      assertEquals(i, row.getInt(0));
      Prediction p = Prediction.fromRow(row.getStruct(2));
      ErrorCode expected = contents.get(i) == null ? ErrorCode.EMPTY : corpus.get(names.get(i));
      assertEquals(expected, p.errorCode(), names.get(i) + ": " + p.errorMessage());
      if (expected == null) {
        assertEquals(3, p.topK().size());
        for (int k = 1; k < p.topK().size(); k++) {
          assertTrue(p.topK().get(k - 1).probability() >= p.topK().get(k).probability(), names.get(i));
        }
        for (Entry e : p.topK()) {
          assertEquals(TestModels.LABELS.get(e.index()), e.label());
        }
        Row struct = row.getStruct(2);
        assertEquals(p.best().label(), struct.getString(0));
        assertEquals(p.best().index(), struct.getInt(1));
        assertEquals(p.best().probability(), struct.getFloat(2));
        assertNull(p.embedding());
      } else {
        assertNotNull(p.errorMessage());
        assertNull(row.getStruct(2).get(0));
      }
    }
  }

  private static ResNetClassifier classifier(Path model) {
    return new ResNetClassifier().setModelPath(model.toString());
  }

  private static List<byte[]> pictures(int n) {
    List<byte[]> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      images.add(TestImages.png(100 + i, 50 + 3 * i, 40 + i));
    }
    return images;
  }

  @Test
  void eightPartitionsOnTwoTaskThreadsLoadTheModelOncePerExecutorJvm() throws IOException {
    Path model = TestModels.distinct("classifier-loads");
    List<Row> out = classifier(model).setBatchSize(3).transform(binaryImages(pictures(40), 8)).collectAsList();

    assertEquals(40, out.size());
    BroadcastModel broadcast = ModelBroadcasts.get(spark, model.toString());
    assertEquals(1, ExecutorModelCache.loads(broadcast.sha256()));
    assertEquals(Map.of(ExecutorModelCache.executorIdentity(), 1L), broadcast.loadsPerExecutor());
  }

  @Test
  void imageStructsFromTheImageSourceGiveTheSamePredictionsAsTheirFilesBytes() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("pictures"));
    List<byte[]> images = pictures(6);
    for (int i = 0; i < images.size(); i++) {
      Files.write(dir.resolve("p" + i + ".png"), images.get(i));
    }
    ResNetClassifier byBytes = classifier(TestModels.resnet18(1)).setTopK(10);
    ResNetClassifier byStruct = classifier(TestModels.resnet18(1)).setTopK(10).setInputCol("image");

    Map<String, Row> fromBytes = new HashMap<>();
    for (Row r : byBytes.transform(spark.read().format("binaryFile").load(dir.toString())).collectAsList()) {
      fromBytes.put(fileName(r.getString(r.fieldIndex("path"))), r.getStruct(r.fieldIndex("prediction")));
    }
    List<Row> fromStructs = byStruct.transform(spark.read().format("image").load(dir.toString())).collectAsList();

    assertEquals(6, fromStructs.size());
    for (Row r : fromStructs) {
      String origin = fileName(r.getStruct(0).getString(0));
      Row struct = r.getStruct(1);
      assertNull(struct.get(5), struct.toString());
      assertEquals(fromBytes.get(origin), struct, origin);
    }
  }

  /** binaryFile and image spell the same file's URI differently ("file:/x" and "file:///x"). */
  private static String fileName(String uri) {
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  @Test
  void upstreamOperatorsStillSeeTheirTaskContextWhenThePrefetchThreadPullsRows() {
    Dataset<Row> images = binaryImages(pictures(6), 2);
    MapFunction<Row, Row> needsTaskContext = row -> {
      if (TaskContext.get() == null) {
        throw new IllegalStateException("no TaskContext on thread " + Thread.currentThread().getName());
      }
      return row;
    };
    Dataset<Row> checked = images.map(needsTaskContext, Encoders.row(images.schema()));

    List<Row> out = classifier(TestModels.resnet18(1)).setBatchSize(2).transform(checked).collectAsList();

    assertEquals(6, out.size());
  }

  @Test
  void stageTimingsCollectReadDecodeAndInferenceTimeFromEveryTaskOnTheDriver() {
    StageTimings timings = StageTimings.register(spark.sparkContext(), "classifier test");
    ResNetClassifier classifier = classifier(TestModels.resnet18(1)).setBatchSize(2).setStageTimings(timings);
    ResNetClassifier copy = classifier.copy(new ParamMap());
    assertTrue(copy.getStageTimings() == timings, "a copy books into the same accumulators");
    assertEquals(0, timings.readAndDecodeNanos());

    assertEquals(6, copy.transform(binaryImages(pictures(6), 3)).count());

    long decode = timings.readAndDecodeNanos();
    long inference = timings.inferenceNanos();
    assertTrue(decode > 0, "read+decode " + decode);
    assertTrue(inference > 0, "inference " + inference);
    assertEquals(6, classifier(TestModels.resnet18(1)).transform(binaryImages(pictures(6), 3)).count());
    assertEquals(decode, timings.readAndDecodeNanos(), "a classifier without timings books nothing");
  }

  @Test
  void imagesOverMaxImageBytesAreTooLargeWithoutFailingTheOthers() {
    byte[] small = TestImages.png(7, 40, 30);
    byte[] big = TestImages.png(8, 400, 300);
    List<Row> out = sortedById(classifier(TestModels.resnet18(1)).setMaxImageBytes(big.length - 1)
        .transform(binaryImages(List.of(small, big), 1)).collectAsList());
    assertNull(Prediction.fromRow(out.get(0).getStruct(2)).errorCode());
    Prediction refused = Prediction.fromRow(out.get(1).getStruct(2));
    assertEquals(ErrorCode.TOO_LARGE, refused.errorCode());
    assertTrue(refused.errorMessage().contains(Long.toString(big.length - 1)), refused.errorMessage());
  }

  @Test
  void localModeWarmsTheModelUpOnTheDriverUnlessTasksAreGivenGpus() throws Exception {
    Path model = TestModels.distinct("classifier-warm-up");
    ResNetClassifier c = classifier(model);
    assertTrue(c.warmUpLocalModel(spark));
    BroadcastModel broadcast = ModelBroadcasts.get(spark, model.toString());
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (ExecutorModelCache.loads(broadcast.sha256()) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(1, ExecutorModelCache.loads(broadcast.sha256()), "loaded before any task asked for it");

    assertFalse(ResNetClassifier.warmsUpLocally(false, new SparkConf()), "on a cluster executors load on first use");
    assertFalse(ResNetClassifier.warmsUpLocally(true, new SparkConf().set("spark.task.resource.gpu.amount", "1")),
        "a warm-up thread would have no GPU");
  }

  @Test
  void embeddingsAreFilledWhenAskedFor() {
    List<Row> out = classifier(TestModels.resnet18(1)).setOutputEmbeddings(true)
        .transform(binaryImages(pictures(3), 1)).collectAsList();
    for (Row row : out) {
      assertEquals(512, Prediction.fromRow(row.getStruct(2)).embedding().length);
    }
  }

  @Test
  void paramsHaveDocumentedDefaultsAndRejectBadValues() {
    ResNetClassifier c = new ResNetClassifier();
    assertEquals("content", c.getInputCol());
    assertEquals("prediction", c.getOutputCol());
    assertEquals(32, c.getBatchSize());
    assertEquals(5, c.getTopK());
    assertFalse(c.getOutputEmbeddings());
    assertFalse(c.isDefined(c.modelPath()));
    assertEquals(ImageLimits.DEFAULT_MAX_BYTES, c.getMaxImageBytes());
    assertThrows(IllegalArgumentException.class, () -> c.setMaxImageBytes(0));
    assertThrows(IllegalArgumentException.class, () -> c.setBatchSize(0));
    assertThrows(IllegalArgumentException.class, () -> c.setTopK(-1));
    assertThrows(IllegalArgumentException.class, () -> c.setInputCol(" "));
    assertThrows(IllegalArgumentException.class, () -> c.setModelPath(""));
    assertEquals("exact", c.getDecodeMode());
    assertThrows(IllegalArgumentException.class, () -> c.setDecodeMode("fast"));
    assertTrue(c.explainParams().contains("batchSize: images per model run (> 0) (default: 32)"),
        c.explainParams());
  }

  @Test
  void survivesJavaSerializationWithItsParams() throws Exception {
    ResNetClassifier c = new ResNetClassifier().setModelPath("/models/m").setTopK(3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    ResNetClassifier back;
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ResNetClassifier) in.readObject();
    }
    assertEquals(3, back.getTopK());
    assertThrows(IllegalArgumentException.class, () -> back.setInputCol(""), "validators survive too");
  }

  @Test
  void transformSchemaNamesTheColumnInEveryError() {
    StructType schema = new StructType().add("content", DataTypes.BinaryType).add("name", DataTypes.StringType)
        .add("prediction", DataTypes.StringType);
    ResNetClassifier c = new ResNetClassifier().setModelPath("/models/m");

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> c.copy(new ParamMap()).setInputCol("img").transformSchema(schema));
    assertEquals("input column 'img' does not exist; the columns are content, name, prediction",
        missing.getMessage());
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
        () -> c.setInputCol("name").transformSchema(schema));
    assertTrue(wrongType.getMessage().startsWith("input column 'name' has type string; expected binary"),
        wrongType.getMessage());
    IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
        () -> c.setInputCol("content").transformSchema(schema));
    assertEquals("output column 'prediction' already exists; choose another outputCol", exists.getMessage());
    IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class,
        () -> new ResNetClassifier().transformSchema(schema));
    assertTrue(noModel.getMessage().startsWith("modelPath is not set"), noModel.getMessage());

    StructType out = c.setOutputCol("labels").transformSchema(schema);
    assertEquals(PredictionSchema.TYPE, out.apply("labels").dataType());
    // The other input kind: the image column of spark.read.format("image"), as Spark's ImageSchema defines it.
    StructType images = new StructType().add("image", ImageSchema.columnSchema());
    StructType labelled = c.setInputCol("image").transformSchema(images);
    assertEquals(ImageSchema.columnSchema(), labelled.apply("image").dataType());
    assertEquals(PredictionSchema.TYPE, labelled.apply("labels").dataType());
    StructType notAnImage = new StructType().add("image", new StructType().add("height", DataTypes.IntegerType));
    IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
        () -> c.transformSchema(notAnImage));
    assertTrue(partial.getMessage().startsWith("input column 'image' has type struct<height:int>; expected"),
        partial.getMessage());
  }

  @Test
  void aMissingModelPathFailsOnTheDriverNamingThePath() {
    String missing = tmp.resolve("no-model-here").toString();
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> classifier(Path.of(missing)).transform(binaryImages(pictures(1), 1)));
    assertTrue(e.getMessage().contains("model path " + missing + " does not exist"), e.getMessage());
  }

  @Test
  void savesAndLoadsInsideAPipeline() throws IOException {
    ResNetClassifier c = classifier(TestModels.resnet18(1)).setTopK(2).setBatchSize(7).setOutputCol("p");
    Dataset<Row> images = binaryImages(pictures(2), 1);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {c}).fit(images);
    String path = tmp.resolve("pipeline").toString();
    fitted.write().overwrite().save(path);

    ResNetClassifier loaded = (ResNetClassifier) PipelineModel.load(path).stages()[0];
    assertEquals(c.uid(), loaded.uid());
    assertEquals(c.getModelPath(), loaded.getModelPath());
    assertEquals(2, loaded.getTopK());
    assertEquals(7, loaded.getBatchSize());
    assertEquals("p", loaded.getOutputCol());

    c.save(tmp.resolve("alone").toString());
    assertEquals(c.extractParamMap().toString(),
        ResNetClassifier.load(tmp.resolve("alone").toString()).extractParamMap().toString());
    assertEquals(sortedById(c.transform(images).collectAsList()),
        sortedById(loaded.transform(images).collectAsList()));
  }
}
