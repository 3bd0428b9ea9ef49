package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing in Spark tasks gives exactly the set a sequential listing on the driver gives with the same rules, for
 * binaryFile and image input alike.
 */
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
    return rows(DistributedListing.list(spark, inputs, extensions));
  }

  static Set<String> rows(Dataset<Row> listed) {
    return listed.select(OutputTable.PATH, OutputTable.MODIFICATION_TIME, OutputTable.LENGTH).collectAsList().stream()
        .map(Row::toString).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The reference: the listing runs did before, one walk on the driver with Hadoop's own recursive listing and
   * {@link FileListing}'s rules, each file once.
   */
  Set<String> driver(List<String> inputs, List<String> extensions) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Map<String, String> files = new TreeMap<>();
    for (String input : inputs) {
      FileSystem fs = new org.apache.hadoop.fs.Path(input).getFileSystem(conf);
      for (FileStatus match : FileListing.matches(fs, input)) {
        if (!match.isDirectory()) {
          add(files, match, extensions);
          continue;
        }
        URI root = match.getPath().toUri();
        RemoteIterator<LocatedFileStatus> below = fs.listFiles(match.getPath(), true);
        while (below.hasNext()) {
          LocatedFileStatus file = below.next();
          if (!FileListing.isHiddenBelow(root, file.getPath())) {
            add(files, file, extensions);
          }
        }
      }
    }
    return new TreeSet<>(files.values());
  }

  private static void add(Map<String, String> files, FileStatus file, List<String> extensions) {
    if (FileListing.hasExtension(file.getPath().getName(), extensions)) {
      files.putIfAbsent(file.getPath().toString(), RowFactory.create(file.getPath().toString(),
          new Timestamp(file.getModificationTime()), file.getLen()).toString());
    }
  }

  void assertSame(List<String> inputs, List<String> extensions) throws IOException {
    Set<String> expected = driver(inputs, extensions);
    assertTrue(!expected.isEmpty());
    List<Row> rows = DistributedListing.list(spark, inputs, extensions).collectAsList();
    assertEquals(expected.size(), rows.size(), "each file once: " + rows);
    assertEquals(expected, distributed(inputs, extensions));
  }

  JobOptions options(String... more) {
    List<String> args = new ArrayList<>(List.of("--output", dir.resolve("out").toString(), "--model", "/m"));
    args.addAll(List.of(more));
    return JobCommandLine.parse(args.toArray(String[]::new)).options();
  }

  @Test
  void aDirectoryTreeGivesTheSameFilesHiddenNamesSkippedEmptyFilesKept() throws IOException {
    List<String> images = List.of("jpg", "jpeg", "png", "gif", "webp", "tiff");
    assertSame(List.of(dir.resolve("lake").toString()), images);
    Set<String> names = distributed(List.of(dir.resolve("lake").toString()), images);
    assertEquals(9, names.size(), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.contains("empty.jpg") && n.endsWith(",0]")), names.toString());
    assertTrue(names.stream().noneMatch(n -> n.contains("_temporary") || n.contains(".git") || n.contains(".r.tiff")
        || n.contains("_meta") || n.contains(".hidden")), names.toString());
  }

  @Test
  void everyFileGlobsFilesAndOverlappingInputs() throws IOException {
    assertSame(List.of(dir.resolve("lake").toString()), List.of());
    assertSame(List.of(dir.resolve("lake/*").toString()), List.of("jpg", "png"));
    assertSame(List.of(dir.resolve("lake/top.jpg").toString(), dir.resolve("lake/_meta.png").toString()),
        List.of("jpg", "png"));
    assertSame(List.of(dir.resolve("lake").toString(), dir.resolve("lake/a").toString()), List.of("jpg", "png"));
  }

  @Test
  void imageAndBinaryFileInputAreBothListedByTasksAndGiveTheSameFiles() throws IOException {
    String lake = dir.resolve("lake").toString();
    Set<String> expected = driver(List.of(lake), List.of("jpg", "png", "jpeg"));
    for (String format : List.of("image", "binaryFile")) {
      InputSource.Candidates candidates = InputSource.candidates(spark,
          options("--input", lake, "--input-format", format, "--extensions", "jpg,png,jpeg"));
      assertNull(candidates.payloadColumn(), format + ": listed without bytes, read after the incremental filter");
      assertEquals(expected, rows(candidates.rows()), format);
      assertEquals(expected.size(), candidates.rows().count(), format + ": one row per file");
    }
  }

  @Test
  void eachFileIsNamedAsHadoopNamesItWithItsTimeAndSize() throws IOException {
    Files.setLastModifiedTime(dir.resolve("lake/top.jpg"), FileTime.fromMillis(1_700_000_000_123L));
    Map<String, Row> byName = new TreeMap<>();
    for (Row r : DistributedListing.list(spark, List.of(dir.resolve("lake").toString()), List.of("jpg"))
        .collectAsList()) {
      byName.put(r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1), r);
    }
    Row top = byName.get("top.jpg");
    assertEquals("file:" + dir.resolve("lake/top.jpg"), top.getString(0), "as Spark's binaryFile source names it");
    assertEquals(1_700_000_000_123L, top.getTimestamp(1).getTime());
    assertEquals(7L, top.getLong(2));
    assertEquals("file:" + dir.resolve("lake/with space/é %.jpg"), byName.get("é %.jpg").getString(0),
        "not URL-encoded");
    assertEquals(0L, byName.get("empty.jpg").getLong(2), "empty files are listed, so they get a row");
    assertEquals(Set.of("TOP2.JPG", "empty.jpg", "top.jpg", "é %.jpg"), byName.keySet(),
        "extensions compared ignoring case; deep.jpeg is not a jpg");
  }

  @Test
  void theExtensionFilterAppliesToNamedFilesToo() {
    assertEquals(0, DistributedListing.list(spark, List.of(dir.resolve("lake/notes.txt").toString()),
        List.of("jpg")).count());
    assertEquals(1, DistributedListing.list(spark, List.of(dir.resolve("lake/_meta.png").toString()),
        List.of("png")).count(), "a hidden name given as an input is listed");
  }

  @Test
  void missingInputsAreConfigurationErrorsOnTheDriver() {
    ConfigException missing = assertThrows(ConfigException.class,
        () -> DistributedListing.list(spark, List.of(dir.resolve("nope").toString()), List.of("jpg")));
    assertEquals("input " + dir.resolve("nope") + " does not exist", missing.getMessage());
    ConfigException glob = assertThrows(ConfigException.class,
        () -> DistributedListing.list(spark, List.of(dir.resolve("lake/x*").toString()), List.of("jpg")));
    assertEquals("input " + dir.resolve("lake/x*") + " matches no file or directory", glob.getMessage());
  }
}
