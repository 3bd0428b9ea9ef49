package io.resnetspark.udf.distribution;

import io.resnetspark.model.contract.SavedModelLayout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Driver side of model distribution: reads a SavedModel directory from any Hadoop file system ({@code file:},
 * {@code hdfs:}, {@code s3a:}...), and streams its files, concatenated in path order, into fixed-size chunks while
 * computing the {@link ModelDigest}. Only one chunk is in memory here at a time, so models larger than 2 GB pack
 * like small ones. Hidden files (names starting with '.', such as Hadoop's {@code .crc} checksums) are skipped.
 */
public final class ModelPackage {
  /** Spark's broadcast serializes each chunk as one object; 64 MB keeps that cheap and far below 2 GB. */
  public static final int DEFAULT_CHUNK_BYTES = 64 << 20;
  private static final int COPY_BUFFER = 1 << 16;

  private ModelPackage() {
  }

  /** What was packed: where from, which files, the content digest and how many chunks went to the sink. */
  public record Packed(String source, ModelManifest manifest, String sha256, int chunkCount) {
  }

  /**
   * Packs the SavedModel at {@code modelPath} into chunks of {@code chunkBytes} handed to {@code sink} in order.
   *
   * @throws FileNotFoundException if the path does not exist
   * @throws IOException if it is not a SavedModel directory or cannot be read
   */
  public static Packed pack(String modelPath, Configuration hadoopConf, int chunkBytes,
                            ChunkingOutputStream.ChunkSink sink) throws IOException {
    Path dir = new Path(modelPath);
    FileSystem fs = dir.getFileSystem(hadoopConf);
    FileStatus status;
    try {
      status = fs.getFileStatus(dir);
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException("model path " + modelPath + " does not exist");
    }
    if (!status.isDirectory()) {
      throw new IOException("model path " + modelPath + " " + SavedModelLayout.NOT_A_DIRECTORY);
    }
    Path root = status.getPath();
    List<FileStatus> files = listFiles(fs, root);
    List<ModelManifest.FileEntry> entries = new ArrayList<>(files.size());
    for (FileStatus f : files) {
      entries.add(new ModelManifest.FileEntry(relativePath(root, f.getPath()), f.getLen()));
    }
    Optional<String> missing = SavedModelLayout.missing(SavedModelLayout.Requirement.GRAPH,
        path -> entries.stream().anyMatch(e -> e.path().equals(path)));
    if (missing.isPresent()) {
      throw new FileNotFoundException("model path " + modelPath + " " + missing.get());
    }
    ModelDigest digest = new ModelDigest();
    byte[] buffer = new byte[COPY_BUFFER];
    ChunkingOutputStream out = new ChunkingOutputStream(chunkBytes, sink);
    for (int i = 0; i < files.size(); i++) {
      ModelManifest.FileEntry entry = entries.get(i);
      digest.beginFile(entry.path(), entry.size());
      long copied = 0;
      try (InputStream in = fs.open(files.get(i).getPath())) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          copied += n;
          if (copied > entry.size()) {
            break;
          }
          digest.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
      }
      if (copied != entry.size()) {
        throw new IOException("model file " + files.get(i).getPath() + " changed while it was packed: listed with "
            + entry.size() + " bytes, read " + (copied > entry.size() ? "more" : String.valueOf(copied)));
      }
    }
    out.close();
    return new Packed(root.toString(), new ModelManifest(entries), digest.finish(), out.chunkCount());
  }

  /**
   * A cheap identity of the directory's current state (relative names, sizes and modification times), without
   * reading contents: equal fingerprints let the driver reuse an earlier broadcast.
   */
  public static String fingerprint(String modelPath, Configuration hadoopConf) throws IOException {
    Path dir = new Path(modelPath);
    FileSystem fs = dir.getFileSystem(hadoopConf);
    Path root;
    try {
      root = fs.getFileStatus(dir).getPath();
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException("model path " + modelPath + " does not exist");
    }
    StringBuilder id = new StringBuilder(root.toString());
    for (FileStatus f : listFiles(fs, root)) {
      id.append('\n').append(relativePath(root, f.getPath())).append(' ').append(f.getLen()).append(' ')
          .append(f.getModificationTime());
    }
    return id.toString();
  }

  private static List<FileStatus> listFiles(FileSystem fs, Path root) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) {
      LocatedFileStatus f = it.next();
      if (f.isFile() && !isHidden(root, f.getPath())) {
        files.add(f);
      }
    }
    files.sort(Comparator.comparing(f -> relativePath(root, f.getPath())));
    return files;
  }

  private static boolean isHidden(Path root, Path file) {
    for (String part : relativePath(root, file).split("/")) {
      if (part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static String relativePath(Path root, Path file) {
    var relative = root.toUri().relativize(file.toUri());
    if (relative.isAbsolute() || relative.getPath().startsWith("/")) {
      throw new IllegalStateException("listing " + root + " returned " + file + ", which is outside it");
    }
    return relative.getPath();
  }
}
