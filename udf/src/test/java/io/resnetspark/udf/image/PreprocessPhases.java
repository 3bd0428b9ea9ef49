package io.resnetspark.udf.image;

import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.udf.errors.ImageFailure;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where preprocessing time goes, for the benchmark: each step of {@link ImagePreprocessor#preprocess} run on its
 * own over a set of images and timed in the calling thread's CPU time (so a loaded machine moves it little).
 * Steps: {@code decode} (header checks, the codec's entropy decoding, IDCT and colour conversion of the rows the
 * crop needs, the copy of its columns into interleaved RGB bytes, EXIF orientation), {@code resize_crop} (the antialiased resize inside the centre crop) and
 * {@code normalise} (bytes to the model's floats).
 */
public final class PreprocessPhases {

  private PreprocessPhases() {}

  /** CPU milliseconds per image of each step: the median of {@code passes} passes over all images. */
  public static Map<String, Double> cpuMillisPerImage(PreprocessSpec spec, List<byte[]> encoded, int passes)
      throws ImageFailure {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ImagePreprocessor preprocessor = new ImagePreprocessor(spec, ImageLimits.defaults());
    ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
    FloatBuffer dest = FloatBuffer.allocate(preprocessor.outputSize());
    String[] names = {"decode", "resize_crop", "normalise"};
    List<List<Double>> samples = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      samples.add(new ArrayList<>());
    }
    for (int pass = 0; pass < passes; pass++) {
      long[] total = new long[names.length];
      for (byte[] image : encoded) {
        long t0 = threads.getCurrentThreadCpuTime();
        Window window = decoder.decodeRegion(image,
            (w, h) -> BilinearResize.sourceForCentreCrop(w, h, spec.resizeSize(), spec.cropSize()));
        long t1 = threads.getCurrentThreadCpuTime();
        RgbImage crop = BilinearResize.resizeAndCentreCrop(window, spec.resizeSize(), spec.cropSize());
        long t2 = threads.getCurrentThreadCpuTime();
        dest.clear();
        preprocessor.normalise(crop, dest);
        long t3 = threads.getCurrentThreadCpuTime();
        total[0] += t1 - t0;
        total[1] += t2 - t1;
        total[2] += t3 - t2;
      }
      for (int i = 0; i < names.length; i++) {
        samples.get(i).add(total[i] / 1e6 / encoded.size());
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      List<Double> s = samples.get(i);
      s.sort(null);
      out.put(names[i], s.get(s.size() / 2));
    }
    return out;
  }
}
