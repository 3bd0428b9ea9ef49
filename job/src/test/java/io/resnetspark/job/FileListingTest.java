package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a run considers, under which names, and what it says when an input is not there. */
class FileListingTest {
  static final List<String> IMAGES = List.of("jpg", "png");

  @TempDir
  Path dir;

  final Configuration conf = new Configuration();

  @BeforeEach
  void files() throws IOException {
    Files.createDirectories(dir.resolve("images/deep/er"));
    Files.write(dir.resolve("images/a.jpg"), new byte[] {1, 2});
    Files.write(dir.resolve("images/deep/er/UPPER.JPG"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("images/deep/with space %.png"), new byte[] {4, 5});
    Files.write(dir.resolve("images/deep/empty.png"), new byte[0]);
    Files.writeString(dir.resolve("images/notes.txt"), "not an image");
    Files.write(dir.resolve("images/_hidden.jpg"), new byte[] {6});
    Files.write(dir.resolve("images/.also-hidden.jpg"), new byte[] {7});
    Files.createDirectories(dir.resolve("images/_temporary"));
    Files.write(dir.resolve("images/_temporary/in-progress.jpg"), new byte[] {8});
    Files.setLastModifiedTime(dir.resolve("images/a.jpg"), FileTime.fromMillis(1_700_000_000_123L));
  }

  Map<String, FileListing.Entry> byName(List<FileListing.Entry> entries) {
    return entries.stream().collect(Collectors.toMap(e -> e.path().substring(e.path().lastIndexOf('/') + 1),
        e -> e));
  }

  @Test
  void directoriesAreSearchedRecursivelyByExtensionIgnoringCaseAndSkippingHiddenNames() {
    Map<String, FileListing.Entry> files = byName(FileListing.list(List.of(dir.resolve("images").toString()),
        IMAGES, conf));
    assertEquals(List.of("UPPER.JPG", "a.jpg", "empty.png", "with space %.png"),
        files.keySet().stream().sorted().toList());
    FileListing.Entry a = files.get("a.jpg");
    assertEquals("file:" + dir.resolve("images/a.jpg"), a.path(), "named as Spark's binaryFile source names it");
    assertEquals(1_700_000_000_123L, a.modificationTime());
    assertEquals(2, a.length());
    assertEquals(0, files.get("empty.png").length(), "empty files are listed, so they get a row");
    assertEquals("file:" + dir.resolve("images/deep/with space %.png"), files.get("with space %.png").path());
  }

  @Test
  void noExtensionsTakesEveryVisibleFile() {
    assertEquals(5, FileListing.list(List.of(dir.resolve("images").toString()), List.of(), conf).size());
  }

  @Test
  void aFileReachedTwiceIsListedOnce() {
    assertEquals(4, FileListing.list(List.of(dir.resolve("images").toString(), dir.resolve("images/deep").toString(),
        dir.resolve("images/a.jpg").toString()), IMAGES, conf).size());
  }

  @Test
  void globsSelectFilesAndDirectories() {
    assertEquals(List.of("UPPER.JPG", "empty.png", "with space %.png"), byName(FileListing.list(
        List.of(dir.resolve("images/d*").toString()), IMAGES, conf)).keySet().stream().sorted().toList());
    assertEquals(List.of("a.jpg"), List.copyOf(byName(FileListing.list(
        List.of(dir.resolve("images/*.jpg").toString()), IMAGES, conf)).keySet()));
  }

  @Test
  void filesPassedOverByTheExtensionsAreCountedPerExtensionHiddenOnesNot() throws IOException {
    Files.writeString(dir.resolve("images/IMG_1.HEIC"), "x");
    Files.writeString(dir.resolve("images/deep/IMG_2.heic"), "x");
    Files.writeString(dir.resolve("images/deep/README"), "x");
    FileListing.Listing listing = FileListing.listing(List.of(dir.resolve("images").toString()), IMAGES, conf);
    assertEquals(4, listing.files().size());
    assertEquals(List.of("heic=2", "=1", "txt=1"), listing.excluded().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).toList(), "most frequent first, then by name");
    assertEquals(Map.of("txt", 1L), FileListing.listing(List.of(dir.resolve("images/notes.txt").toString()), IMAGES,
        conf).excluded(), "a named file counts too");
    assertTrue(FileListing.listing(List.of(dir.resolve("images").toString()), List.of(), conf).excluded().isEmpty());
  }

  @Test
  void theExtensionFilterAppliesToNamedFilesToo() {
    assertTrue(FileListing.list(List.of(dir.resolve("images/notes.txt").toString()), IMAGES, conf).isEmpty());
  }

  @Test
  void missingInputsAreNamed() {
    ConfigException missing = assertThrows(ConfigException.class,
        () -> FileListing.list(List.of(dir.resolve("nope").toString()), IMAGES, conf));
    assertEquals("input " + dir.resolve("nope") + " does not exist", missing.getMessage());
    ConfigException glob = assertThrows(ConfigException.class,
        () -> FileListing.list(List.of(dir.resolve("images/x*").toString()), IMAGES, conf));
    assertEquals("input " + dir.resolve("images/x*") + " matches no file or directory", glob.getMessage());
  }

  @Test
  void hiddenMeansAnyPartBelowTheInputStartsWithUnderscoreOrDot() {
    assertTrue(FileListing.isHidden("_temporary/0/part.jpg"));
    assertTrue(FileListing.isHidden("a/.b/c.jpg"));
    assertFalse(FileListing.isHidden("a/b_c/d.jpg"));
  }

  @Test
  void extensionsAreComparedIgnoringCase() {
    assertTrue(FileListing.hasExtension("X.JpG", IMAGES));
    assertFalse(FileListing.hasExtension("jpg", IMAGES));
    assertFalse(FileListing.hasExtension("x.jpeg", IMAGES));
    assertTrue(FileListing.hasExtension("anything", List.of()));
  }

  @Test
  void theLocalWalkFindsExactlyWhatARecursiveListingFinds() throws IOException {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir.resolve("images").toUri());
    FileSystem fs = root.getFileSystem(conf);
    assertTrue(fs instanceof LocalFileSystem);

    assertEquals(described(fs.listFiles(root, true)), described(FileListing.filesBelow(fs, root)));
  }

  @Test
  void theLocalFileSystemIsNeverAskedForLocatedStatusesWhichForkAProcessPerFile() throws IOException {
    LocalFileSystem noLocated = new LocalFileSystem() {
      @Override
      public RemoteIterator<LocatedFileStatus> listFiles(org.apache.hadoop.fs.Path f, boolean recursive) {
        throw new AssertionError("listFiles reads every file's permissions");
      }
    };
    noLocated.initialize(URI.create("file:///"), conf);
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir.resolve("images").toUri());

    FileSystem plain = root.getFileSystem(conf);
    assertEquals(described(plain.listFiles(root, true)), described(FileListing.filesBelow(noLocated, root)),
        "every file, hidden ones included (the caller filters them)");
  }

  private static Set<String> described(RemoteIterator<? extends FileStatus> files) throws IOException {
    Set<String> out = new TreeSet<>();
    while (files.hasNext()) {
      FileStatus f = files.next();
      out.add(f.getPath() + " " + f.getLen() + " " + f.getModificationTime() + " " + f.isFile());
    }
    return out;
  }
}
