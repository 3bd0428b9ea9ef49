package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Listing in Spark tasks gives exactly the set the driver's FileListing gives, with the same rules. */
@ExtendWith(TestSpark.class)
class DistributedListingTest {
  @TempDir
  Path dir;

  final SparkSession spark = TestSpark.session();

  @BeforeEach
  void tree() throws IOException {
    for (String file : List.of("top.jpg", "TOP2.JPG", "notes.txt", ".hidden.jpg", "_meta.png",
        "a/one.png", "a/b/c/deep.jpeg", "a/b/c/x.gif", "a/_temporary/0/part.jpg", "a/.git/y.jpg",
        "with space/é %.jpg", "y2026/m01/p.webp", "y2026/m02/q.tiff", "y2026/m02/.r.tiff")) {
      Path p = dir.resolve("lake").resolve(file);
      Files.createDirectories(p.getParent());
      Files.write(p, file.getBytes());
    }
    Files.write(dir.resolve("lake/a/empty.jpg"), new byte[0]);
    Files.createDirectories(dir.resolve("lake/empty-dir"));
  }

  Set<String> distributed(List<String> inputs, List<String> extensions) {
    return DistributedListing.list(spark, inputs, extensions).collectAsList().stream()
        .map(Row::toString).collect(Collectors.toCollection(TreeSet::new));
  }

  Set<String> driver(List<String> inputs, List<String> extensions) {
    List<Row> rows = InputSource.listed(spark, FileListing.list(inputs, extensions,
        spark.sparkContext().hadoopConfiguration())).collectAsList();
    Set<String> set = rows.stream().map(Row::toString).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(rows.size(), set.size(), "the driver's listing has each file once");
    return set;
  }

  void assertSame(List<String> inputs, List<String> extensions) {
    Set<String> expected = driver(inputs, extensions);
    assertTrue(!expected.isEmpty());
    List<Row> rows = DistributedListing.list(spark, inputs, extensions).collectAsList();
    assertEquals(expected.size(), rows.size(), "each file once: " + rows);
    assertEquals(expected, distributed(inputs, extensions));
    assertEquals(entries(FileListing.listing(inputs, extensions, spark.sparkContext().hadoopConfiguration())
            .excluded()), entries(DistributedListing.listing(spark, inputs, extensions).excluded()),
        "the files passed over for their extension, counted alike, in the same order");
  }

  static List<String> entries(Map<String, Long> counts) {
    return counts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  @Test
  void aDirectoryTreeGivesTheSameFilesHiddenNamesSkippedEmptyFilesKept() {
    List<String> images = List.of("jpg", "jpeg", "png", "gif", "webp", "tiff");
    assertSame(List.of(dir.resolve("lake").toString()), images);
    Set<String> names = distributed(List.of(dir.resolve("lake").toString()), images);
    assertEquals(9, names.size(), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.contains("empty.jpg") && n.endsWith(",0]")), names.toString());
    assertTrue(names.stream().noneMatch(n -> n.contains("_temporary") || n.contains(".git") || n.contains(".r.tiff")
        || n.contains("_meta") || n.contains(".hidden")), names.toString());
  }

  @Test
  void filesPassedOverByTheExtensionsAreCountedByTheListingTasksHiddenOnesNot() {
    assertEquals(List.of("tiff=1", "txt=1", "webp=1"), entries(DistributedListing.listing(spark,
        List.of(dir.resolve("lake").toString()), List.of("jpg", "jpeg", "png", "gif")).excluded()));
    assertTrue(DistributedListing.listing(spark, List.of(dir.resolve("lake").toString()), List.of()).excluded()
        .isEmpty());
  }

  @Test
  void everyFileGlobsFilesAndOverlappingInputs() {
    assertSame(List.of(dir.resolve("lake").toString()), List.of());
    assertSame(List.of(dir.resolve("lake/*").toString()), List.of("jpg", "png"));
    assertSame(List.of(dir.resolve("lake/top.jpg").toString(), dir.resolve("lake/_meta.png").toString()),
        List.of("jpg", "png"));
    assertSame(List.of(dir.resolve("lake").toString(), dir.resolve("lake/a").toString()), List.of("jpg", "png"));
  }

  @Test
  void missingInputsAreConfigurationErrorsOnTheDriver() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> DistributedListing.list(spark, List.of(dir.resolve("nope").toString()), List.of("jpg")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }
}
