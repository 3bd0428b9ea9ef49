package io.resnetspark.job;

import io.resnetspark.udf.errors.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Reads each listed file's bytes on the executors, after the incremental filter, so files already labelled are
 * never read. A file that cannot be read (gone since the listing, no permission, I/O error) or is larger than the
 * byte limit becomes a row with null content and a read error, which the job reports on that file's row instead of
 * failing the task. Time spent reading is added to {@code readNanos}.
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
  private final LongAccumulator readNanos;

  ContentReader(Broadcast<SerializableConfiguration> hadoopConf, long maxBytes, LongAccumulator readNanos) {
    this.hadoopConf = hadoopConf;
    this.maxBytes = maxBytes;
    this.readNanos = readNanos;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    Configuration conf = hadoopConf.value().value();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row listed = rows.next();
        long start = System.nanoTime();
        Row read = read(listed, conf, maxBytes);
        readNanos.add(System.nanoTime() - start);
        return read;
      }
    };
  }

  /** One file's row with its content, or with the reason it has none. */
  static Row read(Row listed, Configuration conf, long maxBytes) {
    String path = listed.getString(0);
    Object modificationTime = listed.get(1);
    Object length = listed.get(2);
    if (length != null && (Long) length > maxBytes) {
      return RowFactory.create(path, modificationTime, length, null, ErrorCode.TOO_LARGE.name(),
          tooLarge((Long) length, maxBytes));
    }
    try {
      Path file = new Path(path);
      FileSystem fs = file.getFileSystem(conf);
      byte[] content;
      try (InputStream in = fs.open(file)) {
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
}
