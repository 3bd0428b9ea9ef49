package io.resnetspark.job;

import io.resnetspark.model.Labels;
import io.resnetspark.model.ModelBuilder;
import io.resnetspark.model.ModelMetadata;
import io.resnetspark.model.contract.SavedModelLayout;
import io.resnetspark.model.io.Directories;
import io.resnetspark.model.pretrained.DownloadProgress;
import io.resnetspark.model.pretrained.Environment;
import io.resnetspark.model.pretrained.WeightsCache;
import io.resnetspark.model.pretrained.WeightsLocations;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;

/**
 * The model a run uses, checked on the driver before any image is read: either a SavedModel directory on any
 * Hadoop file system ({@code --model}), or one built here from {@code --arch} (and {@code --weights}) into a
 * temporary directory that {@link #close()} removes. Only {@code assets/model.json} and {@code assets/labels.txt}
 * are read here; the graph itself is loaded on the executors.
 */
public final class ModelSource implements AutoCloseable {
  private final String path;
  private final ModelMetadata metadata;
  private final List<String> labels;
  private final java.nio.file.Path temporaryDir;

  private ModelSource(String path, ModelMetadata metadata, List<String> labels, java.nio.file.Path temporaryDir) {
    this.path = path;
    this.metadata = metadata;
    this.labels = List.copyOf(labels);
    this.temporaryDir = temporaryDir;
  }

  /** Resolves {@code --model} or builds {@code --arch}, whichever the options name. */
  public static ModelSource resolve(JobOptions options, Configuration hadoopConf) {
    return resolve(options, hadoopConf, Environment.system());
  }

  /** As {@link #resolve(JobOptions, Configuration)}; {@code env} locates published weights (cache, mirror). */
  static ModelSource resolve(JobOptions options, Configuration hadoopConf, Environment env) {
    if (options.model() != null) {
      return open(options.model(), hadoopConf, null);
    }
    return build(options, hadoopConf, env);
  }

  /**
   * Checks that {@code modelPath} is a resnet-spark SavedModel whose labels match its class count.
   *
   * @throws ConfigException naming what is missing or inconsistent
   */
  static ModelSource open(String modelPath, Configuration hadoopConf, java.nio.file.Path temporaryDir) {
    try {
      Path dir = new Path(modelPath);
      FileSystem fs = dir.getFileSystem(hadoopConf);
      FileStatus status = fs.getFileStatus(dir);
      if (!status.isDirectory()) {
        throw new ConfigException("model " + modelPath + " " + SavedModelLayout.NOT_A_DIRECTORY);
      }
      Optional<String> missing = SavedModelLayout.missing(SavedModelLayout.Requirement.DESCRIBED,
          file -> fs.exists(new Path(dir, file)));
      if (missing.isPresent()) {
        throw new ConfigException("model " + modelPath + " " + missing.get());
      }
      Path metadataFile = new Path(dir, SavedModelLayout.METADATA_PATH);
      ModelMetadata metadata;
      try (InputStream in = fs.open(metadataFile)) {
        metadata = ModelMetadata.fromJson(in);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("model " + modelPath + ": unreadable " + SavedModelLayout.METADATA_FILE + ": "
            + Messages.firstLine(e), e);
      }
      List<String> labels;
      try (InputStream in = fs.open(new Path(dir, SavedModelLayout.LABELS_PATH))) {
        labels = Labels.parse(in);
      }
      if (labels.size() != metadata.numClasses()) {
        throw new ConfigException("model " + modelPath + ": " + SavedModelLayout.LABELS_FILE + " has "
            + labels.size() + " labels but " + SavedModelLayout.METADATA_FILE + " says " + metadata.numClasses()
            + " classes; rebuild the model with a labels file of one line per class");
      }
      return new ModelSource(status.getPath().toString(), metadata, labels, temporaryDir);
    } catch (FileNotFoundException e) {
      throw new ConfigException("model " + modelPath + " does not exist", e);
    } catch (AccessControlException | AccessDeniedException e) {
      throw new ConfigException("model " + modelPath + " is not readable: " + StorageErrors.describe(e), e);
    } catch (IOException e) {
      throw new ConfigException("cannot read model " + modelPath + ": " + StorageErrors.describe(e), e);
    }
  }

  /**
   * Builds {@code --arch} from {@code --weights} (a file, or published weights fetched into the cache) or from
   * random weights, into a temporary directory.
   */
  static ModelSource build(JobOptions o, Configuration hadoopConf, Environment env) {
    java.nio.file.Path tmp;
    try {
      tmp = Files.createTempDirectory("resnet-spark-model-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the model", e);
    }
    java.nio.file.Path out = tmp.resolve(o.arch().id());
    try {
      WeightsCache cache = new WeightsCache(WeightsLocations.from(env),
          DownloadProgress.forConsole(new PrintWriter(System.err, true)));
      ModelBuilder.build(o.modelOptions().buildRequest(out, false, cache));
    } catch (NoSuchFileException e) {
      Directories.deleteQuietly(tmp);
      throw new ConfigException("no such file: " + e.getFile(), e);
    } catch (AccessDeniedException e) {
      Directories.deleteQuietly(tmp);
      throw new ConfigException("permission denied: " + e.getFile(), e);
    } catch (IOException | IllegalArgumentException e) {
      Directories.deleteQuietly(tmp);
      throw new ConfigException("cannot build " + o.arch().id() + ": " + Messages.firstLine(e), e);
    } catch (RuntimeException | Error e) {
      Directories.deleteQuietly(tmp);
      throw e;
    }
    return open(out.toUri().toString(), hadoopConf, tmp);
  }

  /** Where the executors read the model from (a Hadoop path or URI). */
  public String path() {
    return path;
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  public List<String> labels() {
    return labels;
  }

  /** True when the weights are torchvision's random initialisation: labels are then meaningless. */
  public boolean randomWeights() {
    return metadata.weights() != null && metadata.weights().isRandom();
  }

  /** Whether this run built the model (it is then deleted by {@link #close()}). */
  public boolean builtForThisRun() {
    return temporaryDir != null;
  }

  /** One line on where the weights came from, for the report and the console. */
  public String weightsDescription() {
    ModelMetadata.WeightsInfo w = metadata.weights();
    if (w == null) {
      return "unknown";
    }
    if (w.isRandom()) {
      return "RANDOM (seed " + w.seed() + ")";
    }
    return w.file() + " (" + w.format() + ", sha256 " + w.sha256() + ")";
  }

  @Override
  public void close() {
    if (temporaryDir != null) {
      // A leftover in the temporary directory is harmless; the run's outcome matters more.
      Directories.deleteQuietly(temporaryDir);
    }
  }
}
