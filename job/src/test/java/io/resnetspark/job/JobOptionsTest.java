package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.JobOptions.InputFormat;
import io.resnetspark.job.JobOptions.Mode;
import io.resnetspark.job.JobOptions.OutputFormat;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.BuildInfo;
import io.resnetspark.model.PreprocessSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The job's options: their defaults, and the checks that make a bad command line a usage error. */
class JobOptionsTest {
  static final String[] MINIMAL = {"--input", "/data/images", "--output", "/data/labels", "--model", "/models/r50"};

  static JobOptions parse(String... args) {
    return JobCommandLine.parse(args).options();
  }

  static String[] minimalWith(String... more) {
    List<String> args = new ArrayList<>(Arrays.asList(MINIMAL));
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  static String usageError(String... args) {
    return assertThrows(CommandLine.ParameterException.class, () -> parse(args)).getMessage();
  }

  @Test
  void decodeIsExactUnlessReducedIsAskedFor() {
    assertEquals("exact", parse(MINIMAL).decode());
    assertEquals("reduced", parse(minimalWith("--decode", "reduced")).decode());
    String error = usageError(minimalWith("--decode", "fast"));
    assertTrue(error.contains("--decode must be one of exact, reduced, got fast"), error);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    JobOptions o = parse(MINIMAL);
    assertEquals(List.of("/data/images"), o.inputs());
    assertEquals(InputFormat.BINARYFILE, o.inputFormat());
    assertEquals(List.of("jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff"), o.extensionFilter());
    assertEquals(OutputFormat.PARQUET, o.outputFormat());
    assertEquals(Mode.CREATE, o.mode());
    assertEquals(32, o.batchSize());
    assertEquals(5, o.topK());
    assertFalse(o.embeddings());
    assertNull(o.partitions());
    assertEquals(128L << 20, o.bytesPerPartition());
    assertEquals(32, o.readsInFlight());
    assertEquals(256L << 20, o.readBytesInFlight());
    assertEquals(1.0, o.maxErrorRate());
    assertNull(o.runId());
    assertNull(o.master());
    assertEquals(0, o.showRows());
  }

  @Test
  void everyOptionIsReadFromItsFlag() {
    JobOptions o = parse("--input", "a", "--input", "s3a://b/c/*.jpg", "--output", "out", "--arch", "resnet18",
        "--weights", "w.pth", "--num-classes", "10", "--seed", "7", "--input-format", "image",
        "--output-format", "json", "--mode", "incremental", "--batch-size", "8", "--top-k", "3", "--embeddings",
        "--partitions", "12", "--bytes-per-partition", "1g", "--reads-in-flight", "4",
        "--read-bytes-in-flight", "64m", "--max-error-rate", "0.25", "--run-id", "nightly-1",
        "--master", "local[2]", "--show-rows", "4", "--extensions", "JPG,png");
    assertEquals(List.of("a", "s3a://b/c/*.jpg"), o.inputs());
    assertEquals(Architecture.RESNET18, o.arch());
    assertEquals("w.pth", o.weights().toString());
    assertEquals(10, o.numClasses());
    assertEquals(7, o.seed());
    assertEquals(InputFormat.IMAGE, o.inputFormat());
    assertEquals(OutputFormat.JSON, o.outputFormat());
    assertEquals(Mode.INCREMENTAL, o.mode());
    assertEquals(8, o.batchSize());
    assertEquals(3, o.topK());
    assertTrue(o.embeddings());
    assertEquals(12, o.partitions());
    assertEquals(1L << 30, o.bytesPerPartition());
    assertEquals(4, o.readsInFlight());
    assertEquals(64L << 20, o.readBytesInFlight());
    assertEquals(0.25, o.maxErrorRate());
    assertEquals("nightly-1", o.runId());
    assertEquals("local[2]", o.master());
    assertEquals(4, o.showRows());
    assertEquals(List.of("jpg", "png"), o.extensionFilter());
  }

  @Test
  void inputFormatNamesAreCaseInsensitive() {
    assertEquals(InputFormat.BINARYFILE, parse(minimalWith("--input-format", "binaryfile")).inputFormat());
    assertEquals(InputFormat.PARQUET, parse(minimalWith("--input-format", "Parquet")).inputFormat());
    assertTrue(usageError(minimalWith("--input-format", "csv")).contains("binaryFile, image, parquet, table"));
  }

  @Test
  void aStarExtensionMeansEveryFile() {
    assertEquals(List.of(), parse(minimalWith("--extensions", "*")).extensionFilter());
  }

  @Test
  void inputOutputAndAModelAreRequired() {
    assertTrue(usageError("--output", "o", "--model", "m").contains("--input is required"));
    assertTrue(usageError("--input", "i", "--model", "m").contains("--output is required"));
    assertTrue(usageError("--input", "i", "--output", "o").contains("--model DIR"));
  }

  @Test
  void modelAndArchExcludeEachOther() {
    assertTrue(usageError(minimalWith("--arch", "resnet18")).contains("either --model or --arch"));
    assertTrue(usageError(minimalWith("--weights", "w.pth")).contains("go with --arch"));
  }

  @Test
  void weightsArePublishedNamesOrFiles() {
    JobOptions named = parse("--input", "i", "--output", "o", "--arch", "resnet50", "--weights", "imagenet1k_v2");
    assertTrue(named.weights().isNamed());
    assertEquals("IMAGENET1K_V2", named.weights().name());
    assertEquals(PreprocessSpec.Preset.IMAGENET1K_V2, named.modelOptions().preprocessing());
    JobOptions file = parse("--input", "i", "--output", "o", "--arch", "resnet50", "--weights", "r50.pth");
    assertEquals(Path.of("r50.pth"), file.weights().file());
    assertEquals(PreprocessSpec.Preset.IMAGENET1K_V1, file.modelOptions().preprocessing());
  }

  @Test
  void weightsTorchvisionDoesNotPublishAreAUsageError() {
    String message = usageError("--input", "i", "--output", "o", "--arch", "resnet34", "--weights", "IMAGENET1K_V2");
    assertEquals("torchvision publishes no IMAGENET1K_V2 weights for resnet34; it has IMAGENET1K_V1 and DEFAULT",
        message);
  }

  @Test
  void anUnknownArchitectureNamesTheChoices() {
    String message = usageError("--input", "i", "--output", "o", "--arch", "resnet19");
    assertTrue(message.contains("resnet18") && message.contains("wide_resnet101_2"), message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--batch-size|0|--batch-size must be at least 1",
      "--top-k|0|--top-k must be at least 1",
      "--partitions|0|--partitions must be at least 1",
      "--bytes-per-partition|lots|--bytes-per-partition takes a size",
      "--bytes-per-partition|0|--bytes-per-partition must be at least 1 byte",
      "--reads-in-flight|0|--reads-in-flight must be between 1 and 256, got 0",
      "--reads-in-flight|257|--reads-in-flight must be between 1 and 256, got 257",
      "--read-bytes-in-flight|lots|--read-bytes-in-flight takes a size like 64m or 1g, got 'lots'",
      "--read-bytes-in-flight|0|--read-bytes-in-flight must be at least 1 byte",
      "--max-error-rate|1.5|--max-error-rate must be between 0 and 1",
      "--max-error-rate|-0.1|--max-error-rate must be between 0 and 1",
      "--show-rows|-1|--show-rows must be at least 0",
      "--run-id|a/b|--run-id may hold",
      "--extensions|.jpg|--extensions takes names",
      "--batch-size|many|'many' is not an int"})
  void outOfRangeOrMalformedValuesAreUsageErrors(String option, String value, String message) {
    String error = usageError(minimalWith(option, value));
    assertTrue(error.contains(message), error);
  }

  @Test
  void anIcebergOutputIsATableNameInTheWarehouseCatalogOrInAConfiguredOne() {
    String[] base = {"--input", "/i", "--model", "/m", "--output-format", "iceberg"};
    JobOptions o = parse(concat(base, "--output", "db.labels", "--warehouse", "s3a://lake/wh"));
    assertEquals(OutputFormat.ICEBERG, o.outputFormat());
    assertTrue(o.outputFormat().isLake());
    assertEquals("s3a://lake/wh", o.warehouse());
    assertEquals("lake.db.labels", parse(concat(base, "--output", "lake.db.labels")).output());
    assertTrue(usageError(concat(base, "--output", "/data/labels")).contains("--output is a table name"));
    assertTrue(usageError(concat(base, "--output", "lake.db.labels", "--warehouse", "/wh"))
        .contains("with --warehouse, --output is db.table"));
    assertTrue(usageError(minimalWith("--warehouse", "/wh")).contains("--warehouse goes with --output-format iceberg"));
  }

  @Test
  void pruneMissingGoesWithIncrementalLakeRuns() {
    assertTrue(usageError(minimalWith("--prune-missing", "--mode", "incremental"))
        .contains("--prune-missing goes with --mode incremental and --output-format iceberg or delta"));
    assertTrue(usageError(minimalWith("--prune-missing", "--output-format", "delta"))
        .contains("--prune-missing goes with"));
    assertTrue(parse(minimalWith("--prune-missing", "--output-format", "delta", "--mode", "incremental"))
        .pruneMissing());
  }

  @Test
  void attemptsAndFileSizeHaveLowerBounds() {
    assertEquals(3, parse(MINIMAL).maxAttempts());
    assertEquals(128L << 20, parse(MINIMAL).targetFileSize());
    assertTrue(usageError(minimalWith("--max-attempts", "0")).contains("--max-attempts must be at least 1"));
    assertTrue(usageError(minimalWith("--target-file-size", "12")).contains("--target-file-size must be at least 1k"));
    assertTrue(usageError(minimalWith("--target-file-size", "big")).contains("takes a size like 64m"));
  }

  static String[] concat(String[] first, String... more) {
    List<String> args = new ArrayList<>(Arrays.asList(first));
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  @Test
  void aTableIsOneName() {
    assertTrue(usageError("--input", "a", "--input", "b", "--input-format", "table", "--output", "o", "--model", "m")
        .contains("one table name"));
  }

  @Test
  void versionIsTheBuildsVersion() {
    JobCommandLine.Parsed parsed = JobCommandLine.parse("--version");
    assertTrue(parsed.helpRequested());
    assertEquals(List.of("resnet-spark label-images " + BuildInfo.VERSION),
        List.of(parsed.commandLine().getCommandSpec().version()));
  }
}
