package io.resnetspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.udf.image.DecodeMode;
import io.resnetspark.udf.image.ImageLimits;
import io.resnetspark.udf.image.ImagePreprocessor;
import io.resnetspark.udf.image.PreprocessPhases;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Preprocessing alone, as executors run it: {@link ImagePreprocessor#preprocess} (decode, EXIF orientation, resize,
 * centre crop, normalise into the model's NHWC floats) over images already in memory, so no disk I/O is counted.
 * One JSON line per image set (scripts/bench/report.py reads them).
 *
 * <p>Each sample gives two rates: images per wall second, and images per CPU second of the whole process (GC and
 * JIT included). On a machine shared with other work the wall rate moves with the neighbours' load while the CPU
 * rate barely does, so the per-core comparison with torchvision (scripts/bench/pil_preprocess.py, which measures
 * the same two ways) uses the CPU rate. {@code --phases} adds the CPU milliseconds per image of each step.
 */
@Command(name = "PreprocessBench", mixinStandardHelpOptions = true)
public final class PreprocessBench implements Callable<Integer> {
  @Option(names = "--images", description = "A directory of images; same as --set <its name>=<dir>.")
  List<Path> images = new ArrayList<>();
  @Option(names = "--set", description = "label=directory of images (scripts/bench/make_photos.py); repeatable.")
  Map<String, Path> sets = new LinkedHashMap<>();
  @Option(names = "--limit", defaultValue = "400", description = "How many images of a set to hold in memory.")
  int limit;
  @Option(names = "--threads", defaultValue = "1")
  int threads;
  @Option(names = "--repeats", defaultValue = "5")
  int repeats;
  @Option(names = "--min-seconds", defaultValue = "1.5")
  double minSeconds;
  @Option(names = "--modes", split = ",", defaultValue = "exact", description = "Decode modes to measure.")
  List<String> modes;
  @Option(names = "--phases", description = "Also time each step alone (decode, resize, normalise...).")
  boolean phases;
  @Option(names = "--out", required = true)
  Path out;

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) {
    System.exit(new CommandLine(new PreprocessBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Map<String, Path> all = new LinkedHashMap<>();
    for (Path p : images) {
      all.put(p.getFileName().toString(), p);
    }
    all.putAll(sets);
    PreprocessSpec spec = PreprocessSpec.Preset.IMAGENET1K_V1.spec();
    for (Map.Entry<String, Path> set : all.entrySet()) {
      List<byte[]> encoded = read(set.getValue());
      for (String mode : modes) {
        measure(set.getKey(), mode, encoded, spec);
      }
    }
    return 0;
  }

  private void measure(String set, String mode, List<byte[]> encoded, PreprocessSpec spec) throws Exception {
    ImagePreprocessor preprocessor = new ImagePreprocessor(spec, ImageLimits.defaults(), DecodeMode.of(mode));
    {
      sample(preprocessor, encoded, Math.max(2.0, minSeconds)); // JIT warm-up, compile threads included
      List<Double> wall = new ArrayList<>();
      List<Double> perCpuSecond = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        double[] rates = sample(preprocessor, encoded, minSeconds);
        wall.add(rates[0]);
        perCpuSecond.add(rates[1]);
      }
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("kind", "preprocess");
      rec.put("impl", "ours");
      rec.put("set", set);
      rec.put("mode", mode);
      rec.put("threads", threads);
      rec.put("images", encoded.size());
      rec.put("typical_size", typicalSize(encoded));
      rec.put("resize", spec.resizeSize());
      rec.put("crop", spec.cropSize());
      rec.put("img_s", wall);
      rec.put("img_s_per_core", wall.stream().map(w -> w / threads).toList());
      rec.put("img_per_cpu_s", perCpuSecond);
      rec.put("load", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
      if (phases && "exact".equals(mode)) {
        rec.put("phases_ms", PreprocessPhases.cpuMillisPerImage(spec, encoded, 3));
      }
      String line = new ObjectMapper().writeValueAsString(rec) + "\n";
      Files.writeString(out, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      System.out.print(line);
    }
  }

  private List<byte[]> read(Path dir) throws IOException {
    List<byte[]> encoded = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(Files::isRegularFile).sorted().limit(limit).toList()) {
        encoded.add(Files.readAllBytes(p));
      }
    }
    if (encoded.isEmpty()) {
      throw new IllegalArgumentException("no images in " + dir);
    }
    return encoded;
  }

  /**
   * {images per wall second, images per process CPU second} over at least {@code seconds}, {@code threads}
   * workers taking images round-robin.
   */
  private double[] sample(ImagePreprocessor preprocessor, List<byte[]> encoded, double seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger next = new AtomicInteger();
    try {
      long cpuStart = OS.getProcessCpuTime();
      long start = System.nanoTime();
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          FloatBuffer dest = FloatBuffer.allocate(preprocessor.outputSize());
          int n = 0;
          do {
            dest.clear();
            preprocessor.preprocess(encoded.get(Math.floorMod(next.getAndIncrement(), encoded.size())), dest);
            n++;
          } while ((System.nanoTime() - start) / 1e9 < seconds);
          return n;
        }));
      }
      long done = 0;
      for (Future<Integer> f : workers) {
        done += f.get();
      }
      double wallSeconds = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (OS.getProcessCpuTime() - cpuStart) / 1e9;
      return new double[] {done / wallSeconds, done / cpuSeconds};
    } finally {
      pool.shutdown();
    }
  }

  /** The median width and height of the images, read from their headers. */
  private static String typicalSize(List<byte[]> encoded) throws IOException {
    List<Integer> widths = new ArrayList<>();
    List<Integer> heights = new ArrayList<>();
    for (byte[] image : encoded) {
      try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image))) {
        ImageReader reader = ImageIO.getImageReaders(in).next();
        reader.setInput(in);
        widths.add(reader.getWidth(0));
        heights.add(reader.getHeight(0));
        reader.dispose();
      }
    }
    Collections.sort(widths);
    Collections.sort(heights);
    return widths.get(widths.size() / 2) + "x" + heights.get(heights.size() / 2);
  }
}
