package io.resnetspark.job;

import static io.resnetspark.job.LabelImagesJobTest.label;
import static io.resnetspark.job.LabelImagesJobTest.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.job.LabelImagesJobTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dry-run}: what it says a run would do is what the run then does (counts checked against the real runs'
 * reports), it writes nothing, and its last line is JSON a scheduler can read.
 */
@ExtendWith(TestSpark.class)
class DryRunTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void session() {
    TestSpark.session();
    TestData.model();
  }

  static JsonNode plan(Run r) throws IOException {
    assertEquals(ExitCode.OK, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    return new ObjectMapper().readTree(lines[lines.length - 1]);
  }

  @Test
  void theDryRunsCountsAreWhatTheRunsThenDo() throws IOException {
    Path lake = dir.resolve("lake");
    TestData.goodImages(lake, 4, 21);
    Files.write(lake.resolve("empty.jpg"), new byte[0]);
    Files.writeString(lake.resolve("notes.txt"), "not an image");
    long imageBytes = 0;
    for (Path p : Files.walk(lake).filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".txt")).toList()) {
      imageBytes += Files.size(p);
    }
    Path output = dir.resolve("labels");

    JsonNode first = plan(label(lake, output, "--mode", "incremental", "--dry-run", "--partitions", "2"));
    assertFalse(Files.exists(output), "a dry run writes nothing");
    assertEquals("dry_run", first.at("/status").asText());
    assertEquals("absent", first.at("/output_state").asText());
    assertEquals(5, first.at("/counts/inputs_seen").asLong());
    assertEquals(0, first.at("/counts/skipped").asLong());
    assertEquals(5, first.at("/counts/to_label").asLong());
    assertEquals(imageBytes, first.at("/counts/bytes_to_label").asLong());
    assertEquals(2, first.at("/partitions").asInt());
    long perExtension = 0;
    for (JsonNode extension : first.at("/by_extension")) {
      perExtension += extension.at("/to_label").asLong();
    }
    assertEquals(5, perExtension, "the extensions add up; txt is not an image extension: " + first);
    assertTrue(first.at("/by_extension/txt").isMissingNode(), first.toString());

    assertEquals(ExitCode.OK, label(lake, output, "--mode", "incremental", "--partitions", "2").code());
    JsonNode ran = report(output);
    assertEquals(first.at("/counts/inputs_seen").asLong(), ran.at("/counts/inputs_seen").asLong());
    assertEquals(first.at("/counts/to_label").asLong(), ran.at("/counts/rows_written").asLong());
    assertEquals(first.at("/partitions").asInt(), ran.at("/partitions").asInt());

    TestData.goodImages(lake.resolve("new"), 2, 22);
    long before = Files.list(output).count();
    JsonNode second = plan(label(lake, output, "--mode", "incremental", "--dry-run"));
    assertEquals(Files.list(output).count(), before, "a dry run writes nothing");
    assertEquals("table", second.at("/output_state").asText());
    assertEquals(7, second.at("/counts/inputs_seen").asLong());
    assertEquals(5, second.at("/counts/skipped").asLong());
    assertEquals(2, second.at("/counts/to_label").asLong());
    assertEquals(ran.at("/model/sha256").asText(), second.at("/model/sha256").asText());

    assertEquals(ExitCode.OK, label(lake, output, "--mode", "incremental").code());
    JsonNode again = report(output);
    assertEquals(second.at("/counts/skipped").asLong(), again.at("/counts/skipped").asLong());
    assertEquals(second.at("/counts/to_label").asLong(), again.at("/counts/rows_written").asLong());
  }

  @Test
  void aDryRunAppliesTheModeAndPrintsWhatItWouldDo() throws IOException {
    Path lake = dir.resolve("small");
    TestData.goodImages(lake, 2, 23);
    Path output = dir.resolve("small-labels");
    assertEquals(ExitCode.OK, label(lake, output).code());
    Run refused = label(lake, output, "--dry-run");
    assertEquals(ExitCode.CONFIG_ERROR, refused.code(), "create refuses an existing table, dry or not");
    assertTrue(refused.err().contains("already exists"), refused.err());

    Run r = label(lake, output, "--mode", "append", "--dry-run");
    assertTrue(r.out().contains("dry run"), r.out());
    assertTrue(r.out().contains("to label  2 files"), r.out());
    assertEquals(2, plan(r).at("/counts/to_label").asLong(), "append labels everything again");
  }

  @Test
  void aManifestDryRunCountsTheManifestsEntriesAndTheRunLabelsThem() throws IOException {
    Path lake = dir.resolve("manifested");
    List<Path> images = TestData.goodImages(lake, 3, 24);
    StringBuilder csv = new StringBuilder("path,length\n");
    for (Path p : images) {
      csv.append(new org.apache.hadoop.fs.Path(p.toUri()).toString()).append(',').append(Files.size(p)).append('\n');
    }
    String gone = new org.apache.hadoop.fs.Path(lake.resolve("gone.jpg").toUri()).toString();
    csv.append(gone).append(",100\n");
    Path manifest = dir.resolve("manifest.csv");
    Files.writeString(manifest, csv);
    Path output = dir.resolve("manifest-labels");

    JsonNode plan = plan(label(manifest, output, "--input-format", "manifest", "--dry-run"));
    assertEquals(4, plan.at("/counts/to_label").asLong());

    assertEquals(ExitCode.OK, label(manifest, output, "--input-format", "manifest").code());
    var rows = new OutputTable(output.toString(), JobOptions.OutputFormat.PARQUET).read(TestSpark.session())
        .collectAsList();
    assertEquals(4, rows.size(), "one row per manifest entry");
    for (var row : rows) {
      String code = row.getString(row.fieldIndex(OutputTable.ERROR_CODE));
      assertEquals(row.getString(0).equals(gone) ? "UNREADABLE" : null, code, row.toString());
    }
  }
}
