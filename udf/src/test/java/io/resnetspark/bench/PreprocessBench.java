package io.resnetspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.udf.image.ImageLimits;
import io.resnetspark.udf.image.ImagePreprocessor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
 * centre crop, normalise into the model's NHWC floats) over JPEGs already in memory, so no disk I/O is counted.
 * Writes a JSON line like the model-builder benches (scripts/bench/report.py reads it).
 */
@Command(name = "PreprocessBench", mixinStandardHelpOptions = true)
public final class PreprocessBench implements Callable<Integer> {
  @Option(names = "--images", required = true, description = "Directory of JPEGs (scripts/bench/make_jpegs.py).")
  Path images;
  @Option(names = "--limit", defaultValue = "400", description = "How many of them to hold in memory.")
  int limit;
  @Option(names = "--threads", defaultValue = "1")
  int threads;
  @Option(names = "--repeats", defaultValue = "5")
  int repeats;
  @Option(names = "--min-seconds", defaultValue = "1.5")
  double minSeconds;
  @Option(names = "--out", required = true)
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PreprocessBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<byte[]> jpegs = new ArrayList<>();
    try (Stream<Path> files = Files.list(images)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().limit(limit).toList()) {
        jpegs.add(Files.readAllBytes(p));
      }
    }
    PreprocessSpec spec = PreprocessSpec.Preset.IMAGENET1K_V1.spec();
    ImagePreprocessor preprocessor = new ImagePreprocessor(spec, ImageLimits.defaults());
    sample(preprocessor, jpegs, 1.0); // JIT warm-up
    List<Double> imgPerSecond = new ArrayList<>();
    List<Double> perCore = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      double rate = sample(preprocessor, jpegs, minSeconds);
      imgPerSecond.add(rate);
      perCore.add(rate / threads);
    }
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("kind", "preprocess");
    rec.put("threads", threads);
    rec.put("images", jpegs.size());
    rec.put("typical_size", typicalSize(jpegs));
    rec.put("resize", spec.resizeSize());
    rec.put("crop", spec.cropSize());
    rec.put("img_s", imgPerSecond);
    rec.put("img_s_per_core", perCore);
    String line = new ObjectMapper().writeValueAsString(rec) + "\n";
    Files.writeString(out, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(line);
    return 0;
  }

  /** Images per second over at least {@code seconds}, {@code threads} workers taking images round-robin. */
  private double sample(ImagePreprocessor preprocessor, List<byte[]> jpegs, double seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger next = new AtomicInteger();
    try {
      long start = System.nanoTime();
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          FloatBuffer dest = FloatBuffer.allocate(preprocessor.outputSize());
          int n = 0;
          do {
            dest.clear();
            preprocessor.preprocess(jpegs.get(Math.floorMod(next.getAndIncrement(), jpegs.size())), dest);
            n++;
          } while ((System.nanoTime() - start) / 1e9 < seconds);
          return n;
        }));
      }
      long done = 0;
      for (Future<Integer> f : workers) {
        done += f.get();
      }
      return done / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdown();
    }
  }

  /** The median width and height of the images, read from their headers. */
  private static String typicalSize(List<byte[]> jpegs) throws IOException {
    List<Integer> widths = new ArrayList<>();
    List<Integer> heights = new ArrayList<>();
    for (byte[] jpeg : jpegs) {
      try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
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
