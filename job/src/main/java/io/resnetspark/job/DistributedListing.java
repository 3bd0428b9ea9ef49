package io.resnetspark.job;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The files of {@link FileListing}, with its rules (extensions, hidden names, zero-length files kept, each file
 * once), listed by Spark tasks instead of the driver, as Spark's parallel partition discovery does: the driver
 * resolves the inputs and reads the top level of each input directory, keeping only its sub-directories; one task
 * then lists each sub-directory's tree, and one the files directly in the input directory. The driver's memory
 * grows with the number of top-level directories, not of files; the result is a distributed Dataset of
 * {@link ContentReader#INPUT_SCHEMA}. Like {@link FileListing.Listing}, it also counts the files passed over for
 * their extension, counted by the same tasks (rows with {@link #EXCLUDED_EXTENSION} set), so a task that is run
 * again does not count its files twice.
 */
public final class DistributedListing {
  /** The lower-case extension of a file passed over for it ({@code ""} for names without one); null if kept. */
  static final String EXCLUDED_EXTENSION = "excluded_extension";
  private static final StructType LISTED_SCHEMA =
      ContentReader.INPUT_SCHEMA.add(EXCLUDED_EXTENSION, DataTypes.StringType, true);

  private DistributedListing() {
  }

  /** A piece of listing work: one file, the files directly in a directory, or a directory's whole tree. */
  record Task(String path, String root, Kind kind) implements Serializable {
  }

  enum Kind { FILE, FILES_IN, TREE }

  /** Every file the tasks reached (hidden names aside), kept or passed over: {@link #EXCLUDED_EXTENSION} says. */
  public record Listing(Dataset<Row> listed) {
    /** The kept files as rows of (path, modification_time, length). */
    public Dataset<Row> files() {
      return listed.where(col(EXCLUDED_EXTENSION).isNull()).drop(EXCLUDED_EXTENSION);
    }

    /**
     * How many files were passed over for their extension, by lower-case extension ({@code ""} for names without
     * one), most frequent first, as {@link FileListing.Listing#excluded()} counts them; one Spark job.
     */
    public Map<String, Long> excluded() {
      Map<String, Long> excluded = new LinkedHashMap<>();
      listed.where(col(EXCLUDED_EXTENSION).isNotNull())
          .groupBy(EXCLUDED_EXTENSION)
          .count()
          .orderBy(col("count").desc(), col(EXCLUDED_EXTENSION))
          .collectAsList()
          .forEach(r -> excluded.put(r.getString(0), r.getLong(1)));
      return excluded;
    }

    /** The same listing, kept by Spark at {@code level} for the reads that follow. */
    public Listing persist(StorageLevel level) {
      return new Listing(listed.persist(level));
    }
  }

  /**
   * The files of {@code inputs} as rows of (path, modification_time, length), listed by Spark tasks.
   *
   * @throws ConfigException if an input does not exist, its glob matches nothing, or its top level cannot be listed
   */
  public static Dataset<Row> list(SparkSession spark, List<String> inputs, List<String> extensions) {
    return listing(spark, inputs, extensions).files();
  }

  /**
   * As {@link #list}, with the files passed over for their extension.
   *
   * @throws ConfigException if an input does not exist, its glob matches nothing, or its top level cannot be listed
   */
  public static Listing listing(SparkSession spark, List<String> inputs, List<String> extensions) {
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    List<Task> tasks = tasks(inputs, hadoopConf);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(hadoopConf));
    List<String> keep = List.copyOf(extensions);
    JavaRDD<Row> rows = jsc.parallelize(tasks, Math.max(1, tasks.size()))
        .flatMap((FlatMapFunction<Task, Row>) task -> files(task, keep, conf.value().value()));
    Dataset<Row> listed = spark.createDataFrame(rows, LISTED_SCHEMA);
    // Inputs may overlap (a directory and a glob inside it): a file reached twice is listed (or counted) once.
    return new Listing(inputs.size() > 1 ? listed.dropDuplicates(OutputTable.PATH) : listed);
  }

  /** The driver's part: resolve each input and read the top level of each directory. */
  static List<Task> tasks(List<String> inputs, Configuration hadoopConf) {
    List<Task> tasks = new ArrayList<>();
    for (String input : inputs) {
      Path path = new Path(input);
      try {
        FileSystem fs = path.getFileSystem(hadoopConf);
        FileStatus[] matches = fs.globStatus(path);
        boolean glob = input.matches(".*[*?\\[{].*");
        if (matches == null || matches.length == 0) {
          throw new ConfigException(glob ? "input " + input + " matches no file or directory"
              : "input " + input + " does not exist");
        }
        for (FileStatus match : matches) {
          if (glob && FileListing.isHidden(match.getPath().getName())) {
            continue;
          }
          String root = match.getPath().toString();
          if (!match.isDirectory()) {
            tasks.add(new Task(root, root, Kind.FILE));
            continue;
          }
          tasks.add(new Task(root, root, Kind.FILES_IN));
          RemoteIterator<FileStatus> top = fs.listStatusIterator(match.getPath());
          while (top.hasNext()) {
            FileStatus child = top.next();
            if (child.isDirectory() && !FileListing.isHidden(child.getPath().getName())) {
              tasks.add(new Task(child.getPath().toString(), root, Kind.TREE));
            }
          }
        }
      } catch (IOException e) {
        throw FileListing.listingError(input, e);
      }
    }
    return tasks;
  }

  /**
   * A task's part: the files of one piece of work that are not hidden, streamed; those without one of
   * {@code extensions} carry their extension in {@link #EXCLUDED_EXTENSION}.
   */
  static Iterator<Row> files(Task task, List<String> extensions, Configuration conf) throws IOException {
    Path path = new Path(task.path());
    FileSystem fs = path.getFileSystem(conf);
    RemoteIterator<? extends FileStatus> statuses = switch (task.kind()) {
      case FILE -> single(fs.getFileStatus(path));
      case FILES_IN -> fs.listStatusIterator(path);
      case TREE -> FileListing.filesBelow(fs, path);
    };
    URI root = new Path(task.root()).toUri();
    return new Iterator<>() {
      private Row next;

      @Override
      public boolean hasNext() {
        try {
          while (next == null && statuses.hasNext()) {
            FileStatus file = statuses.next();
            if (file.isDirectory()) {
              continue;
            }
            if (task.kind() != Kind.FILE) {
              URI relative = root.relativize(file.getPath().toUri());
              String below = relative.isAbsolute() || relative.getPath().startsWith("/")
                  ? file.getPath().getName() : relative.getPath();
              if (FileListing.isHidden(below)) {
                continue;
              }
            }
            String name = file.getPath().getName();
            next = RowFactory.create(file.getPath().toString(), new Timestamp(file.getModificationTime()),
                file.getLen(), FileListing.hasExtension(name, extensions) ? null : FileListing.extension(name));
          }
          return next != null;
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list " + task.path(), e);
        }
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row row = next;
        next = null;
        return row;
      }
    };
  }

  private static RemoteIterator<FileStatus> single(FileStatus status) {
    return new RemoteIterator<>() {
      private boolean done;

      @Override
      public boolean hasNext() {
        return !done;
      }

      @Override
      public FileStatus next() {
        if (done) {
          throw new NoSuchElementException();
        }
        done = true;
        return status;
      }
    };
  }
}
