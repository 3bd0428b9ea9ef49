package io.resnetspark.job;

import io.resnetspark.udf.errors.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FutureDataInputStreamBuilder;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Reads each listed file's bytes on the executors, after the incremental filter, so files already labelled are
 * never read. A file that cannot be read (gone since the listing, no permission, I/O error) or is larger than the
 * byte limit becomes a row with null content and a read error, which the job reports on that file's row instead of
 * failing the task.
 *
 * <p>Each task keeps a window of reads in flight ({@link OverlappedReads}: at most {@code reads} files and, beyond
 * the first, {@code bytes} bytes; rows stay in listing order), because on an object store a read waits a first-byte
 * latency far longer than decoding a small image. A file reserves its listed length in the window; one of unknown
 * length reserves the byte limit, the most it may hold. Time the task spent starting and waiting for reads is
 * added to {@code readNanos}.
 *
 * <p>The listed length is passed to the file system when the file is opened, so S3A issues one GET per file instead
 * of a HEAD and a GET; an object rewritten with another size between listing and reading is read to its listed
 * length (its new modification time makes the next incremental run label it again).
 */
final class ContentReader implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  static final String CONTENT = "content";
  static final String READ_ERROR_CODE = "read_error_code";
  static final String READ_ERROR_MESSAGE = "read_error_message";

  /** Input: the listing's columns. Output: the same plus content and the read error. */
  static final StructType INPUT_SCHEMA = new StructType()
      .add(OutputTable.PATH, DataTypes.StringType, false)
      .add(OutputTable.MODIFICATION_TIME, DataTypes.TimestampType, true)
      .add(OutputTable.LENGTH, DataTypes.LongType, true);
  static final StructType OUTPUT_SCHEMA = INPUT_SCHEMA
      .add(CONTENT, DataTypes.BinaryType, true)
      .add(READ_ERROR_CODE, DataTypes.StringType, true)
      .add(READ_ERROR_MESSAGE, DataTypes.StringType, true);

  private final Broadcast<SerializableConfiguration> hadoopConf;
  private final long maxBytes;
  private final OverlappedReads.Window window;
  private final LongAccumulator readNanos;

  ContentReader(Broadcast<SerializableConfiguration> hadoopConf, long maxBytes, OverlappedReads.Window window,
                LongAccumulator readNanos) {
    this.hadoopConf = hadoopConf;
    this.maxBytes = maxBytes;
    this.window = window;
    this.readNanos = readNanos;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TaskContext task = TaskContext.get();
    String threadName = task == null ? "resnet-read" :
        "resnet-read-stage" + task.stageId() + "-part" + task.partitionId() + "-tid" + task.taskAttemptId();
    OverlappedReads reads = reads(rows, hadoopConf.value().value(), maxBytes, window, readNanos::add, threadName);
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> reads.close());
    }
    return reads;
  }

  /** One partition's rows read through a window, with the file systems it opens closed at its end. */
  static OverlappedReads reads(Iterator<Row> rows, Configuration conf, long maxBytes, OverlappedReads.Window window,
                               LongConsumer waitedNanos, String threadName) {
    FileSystems fileSystems = new FileSystems(conf);
    return new OverlappedReads(rows, listed -> read(listed, fileSystems, maxBytes),
        listed -> reservation(listed, maxBytes), window, waitedNanos, threadName, fileSystems::close);
  }

  /** The bytes a listed file's read may hold: nothing if it is over the limit (it is not read). */
  static long reservation(Row listed, long maxBytes) {
    Object length = listed.get(2);
    if (length == null) {
      return maxBytes;
    }
    return (Long) length > maxBytes ? 0 : (Long) length;
  }

  /** One file's row with its content, or with the reason it has none. */
  static Row read(Row listed, Configuration conf, long maxBytes) {
    FileSystems fileSystems = new FileSystems(conf);
    try {
      return read(listed, fileSystems, maxBytes);
    } finally {
      fileSystems.close();
    }
  }

  private static Row read(Row listed, FileSystems fileSystems, long maxBytes) {
    String path = listed.getString(0);
    Object modificationTime = listed.get(1);
    Object length = listed.get(2);
    if (length != null && (Long) length > maxBytes) {
      return RowFactory.create(path, modificationTime, length, null, ErrorCode.TOO_LARGE.name(),
          tooLarge((Long) length, maxBytes));
    }
    try {
      Path file = new Path(path);
      FutureDataInputStreamBuilder open = fileSystems.get(file).openFile(file)
          .opt(Options.OpenFileOptions.FS_OPTION_OPENFILE_READ_POLICY,
              Options.OpenFileOptions.FS_OPTION_OPENFILE_READ_POLICY_WHOLE_FILE);
      if (length != null) {
        open.opt(Options.OpenFileOptions.FS_OPTION_OPENFILE_LENGTH, Long.toString((Long) length));
      }
      byte[] content;
      try (InputStream in = FutureIO.awaitFuture(open.build())) {
        content = readAtMost(in, maxBytes);
      }
      if (content == null) {
        return RowFactory.create(path, modificationTime, length, null, ErrorCode.TOO_LARGE.name(),
            "the file grew past the limit of " + maxBytes + " bytes after it was listed");
      }
      return RowFactory.create(path, modificationTime, length, content, null, null);
    } catch (FileNotFoundException e) {
      return RowFactory.create(path, modificationTime, length, null, ErrorCode.UNREADABLE.name(),
          "the file was listed but is gone: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      return RowFactory.create(path, modificationTime, length, null, ErrorCode.UNREADABLE.name(),
          "cannot read the file: " + e);
    }
  }

  static String tooLarge(long length, long maxBytes) {
    return "the file has " + length + " bytes; the limit is " + maxBytes;
  }

  /** The whole stream, or null if it holds more than {@code maxBytes}. */
  static byte[] readAtMost(InputStream in, long maxBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      total += n;
      if (total > maxBytes) {
        return null;
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /**
   * The file systems of one partition's reads, one per scheme and authority. Hadoop's shared cached instances are
   * left open; instances created because the configuration disables that cache (as tests do) are this partition's
   * own and closed with it, instead of one new, never closed instance per file.
   */
  static final class FileSystems implements Closeable {
    private final Configuration conf;
    private final Map<String, FileSystem> open = new HashMap<>();

    FileSystems(Configuration conf) {
      this.conf = conf;
    }

    synchronized FileSystem get(Path file) throws IOException {
      URI uri = file.toUri();
      String key = uri.getScheme() + "://" + uri.getAuthority();
      FileSystem fs = open.get(key);
      if (fs == null) {
        fs = file.getFileSystem(conf);
        open.put(key, fs);
      }
      return fs;
    }

    @Override
    public synchronized void close() {
      for (FileSystem fs : open.values()) {
        if (conf.getBoolean("fs." + fs.getScheme() + ".impl.disable.cache", false)) {
          try {
            fs.close();
          } catch (IOException | RuntimeException e) {
            // Reads are over; a failed close leaks at most this instance's connections.
          }
        }
      }
      open.clear();
    }
  }
}
