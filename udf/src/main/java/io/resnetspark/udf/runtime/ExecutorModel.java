package io.resnetspark.udf.runtime;

import io.resnetspark.model.ModelMetadata;
import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.model.io.Directories;
import io.resnetspark.model.runtime.SavedResNet;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A model loaded in this executor JVM, shared by all its tasks; obtained from {@link ExecutorModelCache}. Runs may
 * happen from many threads at once. Closing waits for runs in progress, so a JVM shutdown never frees a session
 * under a running batch.
 */
public final class ExecutorModel implements ImageModel {
  private final SavedResNet model;
  private final String sha256;
  private final Path directory;
  private final SavedResNet.Options options;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final AtomicLong imagesRun = new AtomicLong();
  private boolean closed;

  ExecutorModel(SavedResNet model, String sha256, Path directory, SavedResNet.Options options) {
    this.model = model;
    this.sha256 = sha256;
    this.directory = directory;
    this.options = options;
  }

  public String sha256() {
    return sha256;
  }

  /** Images this model has run, a warm-up's blank one included. */
  public long imagesRun() {
    return imagesRun.get();
  }

  public ModelMetadata metadata() {
    return model.metadata();
  }

  public PreprocessSpec preprocessing() {
    return model.metadata().preprocessing();
  }

  /** The threads and device the session was created with. */
  public SavedResNet.Options options() {
    return options;
  }

  @Override
  public List<String> labels() {
    return model.labels();
  }

  @Override
  public int imageSize() {
    return preprocessing().cropSize();
  }

  @Override
  public SavedResNet.Prediction predict(FloatBuffer pixels, int count, boolean withEmbeddings) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("model " + sha256 + " was closed (executor shutting down)");
      }
      int size = imageSize();
      SavedResNet.Prediction prediction = model.predict(pixels, count, size, size, withEmbeddings);
      imagesRun.addAndGet(count);
      return prediction;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Closes the session and deletes the unpacked files, once runs in progress end. If they do not end within
   * {@code wait}, the session is left open: the process is going away and freeing memory under a native call
   * would crash it instead.
   *
   * @return whether the session was closed
   */
  boolean close(Duration wait) {
    try {
      if (!lock.writeLock().tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    try {
      if (!closed) {
        closed = true;
        model.close();
        // A leftover is for the host's temporary-directory cleanup; the model itself is unaffected.
        Directories.deleteQuietly(directory);
      }
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }
}
