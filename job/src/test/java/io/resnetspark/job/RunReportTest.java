package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.udf.runtime.ModelPlacement;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The run report: its JSON field names, its arithmetic and its printed summary. */
class RunReportTest {
  static RunReport sample(boolean random, long skipped, Map<String, Long> histogram) {
    Map<String, Long> errors = new LinkedHashMap<>();
    errors.put("CORRUPT", 2L);
    errors.put("EMPTY", 1L);
    long labelled = histogram.values().stream().mapToLong(Long::longValue).sum();
    long written = labelled + 3;
    return new RunReport("run-7", RunReport.STATUS_SUCCEEDED, "2024-05-01T10:00:00Z", "2024-05-01T10:00:20Z", 20.0,
        new RunReport.Input(List.of("/lake/images"), "binaryFile", List.of("jpg", "png"), Map.of()),
        new RunReport.Output("/lake/labels", "parquet", "incremental", null),
        new RunReport.Model("file:/models/r18", "resnet18", 10, "0123456789abcdef0123", random
            ? "RANDOM (seed 0)" : "r18.pth (torch, sha256 ab)", random, false),
        new RunReport.Counts(written + skipped, skipped, written, labelled, 3, errors),
        3.0 / written, 0.5, Map.of("driver/123@host", 1L), executors(), 2, Map.of("listing", 1.5),
        RunReport.throughput(written, 20.0,
            new RunReport.StageNanos(2_000_000_000L, 4_000_000_000L, 10_000_000_000L, 500_000_000L), true),
        histogram,
        new RunReport.SparkInfo("4.0.1", "local[2]", "local-1", 2));
  }

  /** Two GPU executors of a cluster whose native library has no CUDA. */
  static Map<String, RunReport.Executor> executors() {
    return RunReport.Executor.of(Map.of("0/41@w1", 1L, "1/42@w2", 1L), Map.of(
        "0/41@w1", ModelPlacement.of("0/41@w1", "0", Set.of("/job:localhost/replica:0/task:0/device:CPU:0")),
        "1/42@w2", ModelPlacement.of("1/42@w2", "1", Set.of("/job:localhost/replica:0/task:0/device:CPU:0"))));
  }

  static Map<String, Long> histogram() {
    Map<String, Long> h = new LinkedHashMap<>();
    h.put("tabby", 4L);
    h.put("tiger cat", 2L);
    h.put("goldfish", 1L);
    return h;
  }

  @Test
  void theJsonUsesSnakeCaseNamesAndReadsBack() throws IOException {
    RunReport report = sample(true, 5, histogram());
    JsonNode json = new ObjectMapper().readTree(report.toJson());
    assertEquals(15, json.at("/counts/inputs_seen").asLong());
    assertEquals(5, json.at("/counts/skipped").asLong());
    assertEquals(10, json.at("/counts/rows_written").asLong());
    assertEquals(7, json.at("/counts/labelled").asLong());
    assertEquals(2, json.at("/counts/errors_by_code/CORRUPT").asLong());
    assertEquals(1, json.at("/model_loads_per_executor/driver~1123@host").asLong());
    assertTrue(json.at("/model/random_weights").asBoolean());
    assertEquals(0.5, json.at("/throughput/images_per_second").asDouble());
    assertEquals(List.of("tabby", "tiger cat", "goldfish"), iterable(json.at("/label_histogram").fieldNames()));
    assertEquals(report, RunReport.fromJson(report.toJson()));
  }

  @Test
  void eachExecutorShowsItsGpuAddressItsDevicesAndWhyItFellBackToTheCpu() throws IOException {
    JsonNode json = new ObjectMapper().readTree(sample(true, 0, histogram()).toJson());
    JsonNode first = json.at("/executors/0~141@w1");
    assertEquals(1, first.at("/model_loads").asLong());
    assertEquals("0", first.at("/gpu_address").asText());
    assertEquals("/device:CPU:0", first.at("/devices/0").asText());
    assertTrue(first.at("/cpu_fallback").asText().startsWith("no CUDA device: Spark assigned GPU 0"));
    assertEquals("1", json.at("/executors/1~142@w2/gpu_address").asText());

    String summary = sample(true, 0, histogram()).summary(3);
    assertTrue(summary.contains("devices  0/41@w1 /device:CPU:0 (GPU 0 assigned; no CUDA device: CPU fallback), "
        + "1/42@w2 /device:CPU:0 (GPU 1 assigned; no CUDA device: CPU fallback)"), summary);
  }

  @Test
  void executorsWithoutGpuSchedulingHaveNoAddressAndNoFallback() throws IOException {
    Map<String, RunReport.Executor> cpu = RunReport.Executor.of(Map.of("driver/9@h", 2L),
        Map.of("driver/9@h", ModelPlacement.of("driver/9@h", null, Set.of("/device:CPU:0"))));
    RunReport.Executor driver = cpu.get("driver/9@h");
    assertEquals(new RunReport.Executor(2, null, List.of("/device:CPU:0"), null), driver);
    assertEquals("/device:CPU:0", driver.describe());
    JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(driver));
    assertTrue(json.get("gpu_address").isNull(), "shown as null, not left out: " + json);
  }

  @Test
  void stageRatesAreImagesPerTaskSecondForReadDecodeInferenceAndWrite() {
    RunReport.Throughput t = RunReport.throughput(100, 50.0,
        new RunReport.StageNanos(2_000_000_000L, 4_000_000_000L, 20_000_000_000L, 0), true);
    assertEquals(2.0, t.imagesPerSecond());
    assertEquals(List.of("read+decode", "inference", "write"), List.copyOf(t.stages().keySet()));
    assertEquals(25.0, t.stages().get("read+decode").imagesPerTaskSecond());
    assertEquals(5.0, t.stages().get("inference").imagesPerTaskSecond());
    assertEquals(20.0, t.stages().get("inference").taskSeconds());
    assertNull(t.stages().get("write").imagesPerTaskSecond(), "no time measured, no rate");
    assertEquals(50.0, t.fileRead().imagesPerTaskSecond(), "file reads alone, a part of read+decode");
    assertNull(RunReport.throughput(100, 50.0, new RunReport.StageNanos(0, 1, 1, 1), false).fileRead(),
        "only binaryFile input reads bytes in the job");
  }

  @Test
  void theBottleneckIsNamedWhenOneStageIsClearlySlowerWithWhatToTry() {
    // 100 images: read+decode 40 s (2.5 img/s per task-second), inference 18 s (5.6)
    RunReport.Throughput decodeBound = RunReport.throughput(100, 50.0,
        new RunReport.StageNanos(0, 40_000_000_000L, 18_000_000_000L, 1), true, "exact");
    assertEquals("decode-bound: 2.5 img/s per task-second decoding vs 5.6 in inference; try --decode reduced "
        + "(JPEG DCT-domain downscaling)", decodeBound.bottleneck());
    assertEquals("read+decode", decodeBound.bottleneckStage());
    assertEquals("exact", decodeBound.decodeMode());
    RunReport.Throughput alreadyReduced = RunReport.throughput(100, 50.0,
        new RunReport.StageNanos(0, 40_000_000_000L, 18_000_000_000L, 1), true, "reduced");
    assertTrue(alreadyReduced.bottleneck().endsWith("; more cores per executor decode more"),
        alreadyReduced.bottleneck());
    RunReport.Throughput inferenceBound = RunReport.throughput(100, 50.0,
        new RunReport.StageNanos(0, 5_000_000_000L, 20_000_000_000L, 1), true, "reduced");
    assertTrue(inferenceBound.bottleneck().startsWith("inference-bound: 20.0 img/s per task-second decoding vs "
        + "5.0 in inference"), inferenceBound.bottleneck());
    RunReport.Throughput balanced = RunReport.throughput(100, 50.0,
        new RunReport.StageNanos(0, 20_000_000_000L, 15_000_000_000L, 1), true, "exact");
    assertNull(balanced.bottleneck(), "5.0 vs 6.7 img/s: neither is 1.5x slower");
    assertNull(balanced.bottleneckStage());
  }

  @Test
  void theSummaryGivesEachStageRateAndTheFileReadsWithinReadDecode() {
    String s = sample(false, 0, histogram()).summary(10);
    assertTrue(s.contains("images per task-second: read+decode 2.5 (file reads alone 5.0), inference 1.0, "
        + "write 20.0"), s);
  }

  @Test
  void theSummarySaysPlainlyWhenWeightsAreRandom() {
    String random = sample(true, 0, histogram()).summary(10);
    assertTrue(random.contains("RANDOM WEIGHTS: the labels below are meaningless"), random);
    assertTrue(random.contains("--arch resnet18 --weights DEFAULT (torchvision's, downloaded once), or --weights FILE"),
        random);
    String real = sample(false, 0, histogram()).summary(10);
    assertFalse(real.contains("RANDOM"), real);
  }

  @Test
  void theSummaryNamesFilesPassedOverAndTheLakeTablesCommit() throws IOException {
    RunReport base = sample(false, 0, histogram());
    Map<String, Long> passedOver = new LinkedHashMap<>();
    passedOver.put("heic", 1204L);
    passedOver.put("svg", 3L);
    passedOver.put("", 1L);
    RunReport.Table table = new RunReport.Table("resnet_lake.db.labels", "6120512373384385139",
        "2024-05-01 10:00:19", 12, 3, 1, 98_402, "SELECT * FROM resnet_lake.db.labels VERSION AS OF 6120512373384385139");
    RunReport lake = new RunReport(base.runId(), base.status(), base.startedAt(), base.finishedAt(),
        base.wallSeconds(), new RunReport.Input(base.input().paths(), "binaryFile", base.input().extensions(),
            passedOver), new RunReport.Output("db.labels", "iceberg", "incremental", table), base.model(),
        base.counts(), base.errorRate(), base.maxErrorRate(), base.modelLoadsPerExecutor(), base.executors(),
        base.partitions(), base.driverSeconds(), base.throughput(), base.labelHistogram(), base.spark());
    String s = lake.summary(10);
    assertTrue(s.contains("  not labelled: 1,204 .heic, 3 .svg, 1 without extension (see --extensions)\n"), s);
    assertTrue(s.contains("  table    resnet_lake.db.labels snapshot 6120512373384385139: 12 rows inserted, "
        + "3 updated, 1 deleted, 98,402 unchanged\n"), s);
    assertTrue(s.contains("  read it  SELECT * FROM resnet_lake.db.labels VERSION AS OF 6120512373384385139\n"), s);
    RunReport back = RunReport.fromJson(lake.toJson());
    assertEquals(table, back.output().table());
    assertEquals(passedOver, back.input().notLabelled());
    assertTrue(!sample(false, 0, histogram()).summary(10).contains("not labelled"), "nothing passed over, no line");
  }

  @Test
  void theSummaryCountsAddUpAndListTheTopLabels() {
    String s = sample(false, 5, histogram()).summary(2);
    assertTrue(s.contains("15 seen, 5 skipped (already labelled), 10 written: 7 labelled, 3 errors (CORRUPT 2, "
        + "EMPTY 1)"), s);
    assertTrue(s.contains("labels   tabby 4, tiger cat 2, ... (3 labels)"), s);
    assertTrue(s.contains("30.0% of rows (allowed: 50.0%)"), s);
    assertTrue(s.contains("1x on driver/123@host"), s);
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
