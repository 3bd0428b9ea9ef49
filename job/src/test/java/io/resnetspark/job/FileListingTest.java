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
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of which files a run considers, and what it says when an input is not there. */
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

  @Test
  void anInputNamesItselfOrItsGlobsVisibleMatches() throws IOException {
    FileSystem fs = FileSystem.getLocal(conf);
    assertEquals(List.of("images"), names(FileListing.matches(fs, dir.resolve("images").toString())));
    assertEquals(List.of("_hidden.jpg"), names(FileListing.matches(fs, dir.resolve("images/_hidden.jpg").toString())),
        "a hidden name given as an input is taken");
    assertEquals(List.of("a.jpg"), names(FileListing.matches(fs, dir.resolve("images/*.jpg").toString())),
        "glob matches with hidden names are not");
  }

  @Test
  void missingInputsAreNamed() throws IOException {
    FileSystem fs = FileSystem.getLocal(conf);
    ConfigException missing = assertThrows(ConfigException.class,
        () -> FileListing.matches(fs, dir.resolve("nope").toString()));
    assertEquals("input " + dir.resolve("nope") + " does not exist", missing.getMessage());
    ConfigException glob = assertThrows(ConfigException.class,
        () -> FileListing.matches(fs, dir.resolve("images/x*").toString()));
    assertEquals("input " + dir.resolve("images/x*") + " matches no file or directory", glob.getMessage());
  }

  @Test
  void aFileBelowAnInputIsHiddenByAnyNameOnTheWayDownButNotByTheInputsOwnPath() {
    URI root = URI.create("file:/data/_staging/images");
    assertFalse(FileListing.isHiddenBelow(root, new org.apache.hadoop.fs.Path("file:/data/_staging/images/a/b.jpg")));
    assertTrue(FileListing.isHiddenBelow(root,
        new org.apache.hadoop.fs.Path("file:/data/_staging/images/_temporary/0/b.jpg")));
    assertTrue(FileListing.isHiddenBelow(root, new org.apache.hadoop.fs.Path("file:/data/_staging/images/a/.b.jpg")));
  }

  private static List<String> names(List<FileStatus> statuses) {
    return statuses.stream().map(s -> s.getPath().getName()).sorted().toList();
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
