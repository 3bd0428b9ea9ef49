package io.resnetspark.udf.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnetspark.model.Architecture;
import io.resnetspark.model.ModelMetadata.WeightsInfo;
import io.resnetspark.model.PreprocessSpec;
import io.resnetspark.model.SavedModelExport;
import io.resnetspark.model.io.Directories;
import io.resnetspark.model.runtime.SavedResNet;
import io.resnetspark.model.runtime.SavedResNet.Prediction;
import io.resnetspark.model.weights.RandomWeights;
import io.resnetspark.udf.errors.ErrorCode;
import io.resnetspark.udf.errors.ImageFailure;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagePreprocessorTest {

  private static final String PARITY = "/images/parity/";
  private static final JsonNode MANIFEST = manifest();
  private static final PreprocessSpec V1 = PreprocessSpec.Preset.IMAGENET1K_V1.spec();
  private static final List<String> PARITY_REPORT = new ArrayList<>();

  private final ImagePreprocessor preprocessor = new ImagePreprocessor(V1, ImageLimits.defaults());

  static Stream<Arguments> parityCases() {
    return StreamSupport.stream(MANIFEST.get("cases").spliterator(), false)
        .map(c -> Arguments.of(c.get("input").asText() + " at " + c.get("resize") + "/" + c.get("crop")
            + " (" + c.get("description").asText() + ")", c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parityCases")
  void matchesTorchvisionResizeCenterCropToTensorNormalize(String name, JsonNode c) throws ImageFailure {
    PreprocessSpec spec = new PreprocessSpec("parity", c.get("resize").asInt(), c.get("crop").asInt(), "bilinear",
        true, floats(MANIFEST.get("mean")), floats(MANIFEST.get("std")), "RGB", "NHWC");
    float[] expected = torchvisionTensor(c, spec);
    ImagePreprocessor p = new ImagePreprocessor(spec, ImageLimits.defaults());
    FloatBuffer out = FloatBuffer.allocate(p.outputSize());

    p.preprocess(Corpus.resource(PARITY + c.get("input").asText()), out);

    float[] actual = out.array();
    double sum = 0;
    double maxLevels = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs(actual[i] - expected[i]);
      sum += d;
      // The same difference in 8-bit levels of the decoded pixel (HWC: channel i % 3), the unit codecs differ in.
      maxLevels = Math.max(maxLevels, d * spec.std()[i % 3] * 255);
    }
    double mean = sum / actual.length;
    PARITY_REPORT.add(String.format(Locale.ROOT, "%-28s %3d/%3d  mean |diff| %.6f  max |diff| %.1f levels",
        c.get("input").asText(), spec.resizeSize(), spec.cropSize(), mean, maxLevels));
    String measured = name + ": mean |diff| " + mean + ", max " + maxLevels + " levels";
    if (c.get("input").asText().endsWith(".webp")) {
      // Lossy WebP is decoded by TwelveMonkeys' Java VP8 decoder, which takes chroma from the nearest sample where
      // PIL's libwebp interpolates it: about two levels apart on average, above the 0.01 asked for photographs.
      assertTrue(mean <= 0.05, measured);
      // At a sharp colour edge a pixel takes its 2x2 block's chroma instead of a blend with the neighbour's, so
      // the largest difference is the chroma step across the strongest edge: 27 levels in coffee.webp. A swapped
      // channel, a shifted crop or a wrong resize filter differ by far more there.
      assertTrue(maxLevels <= 32, measured);
    } else {
      // The bound is a mean of 0.01; sharing PIL's libjpeg and zlib, the result here is exact (mean and
      // max 0). A tenth of the bound, and one level at most, leave room for another libjpeg build's occasional
      // rounding difference in its inverse DCT, and no more.
      assertTrue(mean <= 0.001, measured);
      assertTrue(maxLevels <= 1.0001, measured);
    }
  }

  @AfterAll
  static void printParity() {
    if (!PARITY_REPORT.isEmpty()) {
      System.out.println("Parity with torchvision (normalised tensor units):\n  " + String.join("\n  ", PARITY_REPORT));
    }
  }

  @Test
  void writesOneImageAtTheBufferPositionAndAdvancesIt() throws ImageFailure {
    byte[] grace = Corpus.resource(PARITY + "grace_hopper.jpg");
    byte[] coffee = Corpus.resource(PARITY + "coffee.jpg");
    FloatBuffer batch = FloatBuffer.allocate(2 * preprocessor.outputSize());
    FloatBuffer alone = FloatBuffer.allocate(preprocessor.outputSize());

    preprocessor.preprocess(grace, batch);
    preprocessor.preprocess(coffee, batch);
    preprocessor.preprocess(coffee, alone);

    assertEquals(224 * 224 * 3, preprocessor.outputSize());
    assertEquals(2 * preprocessor.outputSize(), batch.position());
    float[] second = Arrays.copyOfRange(batch.array(), preprocessor.outputSize(), 2 * preprocessor.outputSize());
    assertArrayEquals(alone.array(), second);
  }

  @Test
  void writesIntoADirectBufferAsTensorsUse() throws ImageFailure {
    byte[] grace = Corpus.resource(PARITY + "grace_hopper.jpg");
    FloatBuffer heap = FloatBuffer.allocate(preprocessor.outputSize());
    FloatBuffer direct = ByteBuffer.allocateDirect(4 * preprocessor.outputSize()).order(ByteOrder.nativeOrder())
        .asFloatBuffer();

    preprocessor.preprocess(grace, heap);
    preprocessor.preprocess(grace, direct);

    float[] fromDirect = new float[preprocessor.outputSize()];
    direct.flip().get(fromDirect);
    assertArrayEquals(heap.array(), fromDirect);
  }

  @Test
  void aBadImageLeavesTheBufferUntouched() {
    FloatBuffer dest = FloatBuffer.allocate(preprocessor.outputSize() + 5);
    dest.position(5);

    ImageFailure e = assertThrows(ImageFailure.class,
        () -> preprocessor.preprocess(Corpus.entry("truncated.jpg").bytes(), dest));

    assertEquals(ErrorCode.CORRUPT, e.code());
    assertEquals(5, dest.position());
    assertTrue(Arrays.stream(toDoubles(dest.array())).allMatch(v -> v == 0));
  }

  @Test
  void refusesABufferWithoutRoomBeforeDecoding() {
    FloatBuffer small = FloatBuffer.allocate(preprocessor.outputSize() - 1);

    assertThrows(BufferOverflowException.class,
        () -> preprocessor.preprocess(Corpus.resource(PARITY + "grace_hopper.jpg"), small));
    assertEquals(0, small.position());
  }

  @Test
  void everyCorpusFileEitherPreprocessesOrGivesItsErrorCode() {
    for (Corpus.Entry entry : Corpus.entries()) {
      FloatBuffer dest = FloatBuffer.allocate(preprocessor.outputSize());
      try {
        preprocessor.preprocess(entry.bytes(), dest);
        assertTrue(entry.error().isEmpty(), entry + " should have failed with " + entry.error());
        assertEquals(preprocessor.outputSize(), dest.position());
      } catch (ImageFailure e) {
        assertEquals(entry.error().orElse(null), e.code(), entry + ": " + e.getMessage());
      }
    }
  }

  @Test
  void imageStructInBgrOrderGivesTheSameTensorAsTheEncodedFile() throws Exception {
    // As spark.read.format("image") stores them: BGR for colour, BGRA with alpha, one byte for grey.
    for (String file : new String[] {"grace_hopper.jpg", "chelsea-alpha.png", "coffee-gray.jpg"}) {
      byte[] encoded = Corpus.resource(PARITY + file);
      RgbImage rgb = new ImageDecoder(ImageLimits.defaults()).decode(encoded);
      int channels = file.endsWith("alpha.png") ? 4 : file.contains("gray") ? 1 : 3;
      byte[] struct = openCvOrder(rgb, channels);
      FloatBuffer fromBytes = FloatBuffer.allocate(preprocessor.outputSize());
      FloatBuffer fromStruct = FloatBuffer.allocate(preprocessor.outputSize());

      preprocessor.preprocess(encoded, fromBytes);
      preprocessor.preprocessImageStruct(struct, rgb.height(), rgb.width(), channels, fromStruct);

      assertArrayEquals(fromBytes.array(), fromStruct.array(), file);
    }
  }

  @Test
  void imageStructFromImageIoMatchesAsSparksImageSourceWouldBuildIt() throws Exception {
    // Spark's ImageSchema decodes with ImageIO and stores B, G, R per pixel; for an sRGB JPEG that is the same data.
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(Corpus.resource(PARITY + "coffee.jpg")));
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] bgr = new byte[w * h * 3];
    for (int y = 0, o = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = image.getRGB(x, y);
        bgr[o++] = (byte) p;
        bgr[o++] = (byte) (p >> 8);
        bgr[o++] = (byte) (p >> 16);
      }
    }
    FloatBuffer fromBytes = FloatBuffer.allocate(preprocessor.outputSize());
    FloatBuffer fromStruct = FloatBuffer.allocate(preprocessor.outputSize());

    preprocessor.preprocess(Corpus.resource(PARITY + "coffee.jpg"), fromBytes);
    preprocessor.preprocessImageStruct(bgr, h, w, 3, fromStruct);

    assertArrayEquals(fromBytes.array(), fromStruct.array());
  }

  @Test
  void invalidImageStructsGiveErrorCodes() {
    FloatBuffer dest = FloatBuffer.allocate(preprocessor.outputSize());

    assertEquals(ErrorCode.CORRUPT, structError(new byte[0], -1, -1, -1, dest), "Spark's invalid-image row");
    assertEquals(ErrorCode.CORRUPT, structError(new byte[10], 2, 2, 3, dest), "length does not match");
    assertEquals(ErrorCode.UNSUPPORTED_FORMAT, structError(new byte[8], 2, 2, 2, dest), "two channels");
    ImagePreprocessor tight = new ImagePreprocessor(V1, new ImageLimits(3, 1 << 20));
    ImageFailure e = assertThrows(ImageFailure.class,
        () -> tight.preprocessImageStruct(new byte[12], 2, 2, 3, dest));
    assertEquals(ErrorCode.TOO_LARGE, e.code());
    assertEquals(0, dest.position());
  }

  @Test
  void isSafeToShareBetweenThreads() throws Exception {
    String[] files = {"grace_hopper.jpg", "astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg",
        "chelsea-alpha.png", "astronaut-palette.png", "coffee-gray.jpg"};
    List<float[]> sequential = new ArrayList<>();
    for (String file : files) {
      sequential.add(run(file));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> parallel = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (String file : files) {
          parallel.add(pool.submit(() -> run(file)));
        }
      }
      for (int i = 0; i < parallel.size(); i++) {
        assertArrayEquals(sequential.get(i % files.length), parallel.get(i).get(), files[i % files.length]);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesASpecItDoesNotImplement() {
    PreprocessSpec bicubic = new PreprocessSpec("x", 256, 224, "bicubic", true, V1.mean(), V1.std(), "RGB", "NHWC");
    PreprocessSpec bgr = new PreprocessSpec("x", 256, 224, "bilinear", true, V1.mean(), V1.std(), "BGR", "NHWC");

    assertThrows(IllegalArgumentException.class, () -> new ImagePreprocessor(bicubic, ImageLimits.defaults()));
    assertThrows(IllegalArgumentException.class, () -> new ImagePreprocessor(bgr, ImageLimits.defaults()));
  }

  private float[] run(String file) throws ImageFailure {
    FloatBuffer out = FloatBuffer.allocate(preprocessor.outputSize());
    preprocessor.preprocess(Corpus.resource(PARITY + file), out);
    return out.array();
  }

  private ErrorCode structError(byte[] data, int h, int w, int channels, FloatBuffer dest) {
    return assertThrows(ImageFailure.class, () -> preprocessor.preprocessImageStruct(data, h, w, channels, dest))
        .code();
  }

  /** torchvision's tensor, HWC: ToTensor and Normalize (float32) of the stored 8-bit output of Resize/CenterCrop. */
  private static float[] torchvisionTensor(JsonNode c, PreprocessSpec spec) {
    RgbImage crop = Corpus.readPng(PARITY + c.get("reference").asText());
    byte[] px = crop.pixels();
    float[] tensor = new float[px.length];
    double[] channelSum = new double[3];
    for (int i = 0; i < px.length; i++) {
      int ch = i % 3;
      tensor[i] = ((px[i] & 0xFF) / 255f - spec.mean()[ch]) / spec.std()[ch];
      channelSum[ch] += tensor[i];
    }
    // The stored bytes must be a faithful encoding of the tensor torchvision produced (the script asserts it
    // bit for bit; the recorded per-channel means guard against a stale or mismatched reference file).
    for (int ch = 0; ch < 3; ch++) {
      double mean = channelSum[ch] / (px.length / 3);
      assertEquals(c.get("tensor_channel_mean").get(ch).asDouble(), mean, 1e-5, "reference channel " + ch);
    }
    return tensor;
  }

  private static byte[] openCvOrder(RgbImage rgb, int channels) {
    byte[] px = rgb.pixels();
    int n = rgb.width() * rgb.height();
    byte[] out = new byte[n * channels];
    for (int i = 0; i < n; i++) {
      if (channels == 1) {
        out[i] = px[i * 3];
      } else {
        out[i * channels] = px[i * 3 + 2];
        out[i * channels + 1] = px[i * 3 + 1];
        out[i * channels + 2] = px[i * 3];
        if (channels == 4) {
          out[i * 4 + 3] = (byte) (i * 7); // alpha must not matter
        }
      }
    }
    return out;
  }

  private static float[] floats(JsonNode array) {
    float[] f = new float[array.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) array.get(i).asDouble();
    }
    return f;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static JsonNode manifest() {
    try {
      return new ObjectMapper().readTree(Corpus.resource(PARITY + "parity.json"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
  static Stream<Arguments> photographs() {
    // the DCT scale each takes for Resize(256): the smallest whose shorter side still covers 256
    return Stream.of(Arguments.of("astronaut-0.9MP.jpg", 2), Arguments.of("coffee-1.2MP.jpg", 2),
        Arguments.of("chelsea-3MP.jpg", 4), Arguments.of("rocket-3MP.jpg", 4),
        Arguments.of("grace_hopper-5.6MP.jpg", 8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("photographs")
  void reducedDecodeStaysCloseToTheExactTensorOnRealPhotographs(String file, int denominator) throws Exception {
    // scripts/make_reduced_fixtures.py: real photographs of 0.9 to 5.6 MP (those reduced, by 1/2 for Resize(256))
    byte[] jpeg = Corpus.resource("/images/photos/" + file);
    ImagePreprocessor reduced = new ImagePreprocessor(V1, ImageLimits.defaults(), DecodeMode.REDUCED);
    float[] exact = tensor(preprocessor, jpeg);
    float[] fast = tensor(reduced, jpeg);

    double cosine = centredCosine(exact, fast);

    // At the pixel level DCT scaling averages 8x8, 4x4 or 2x2 blocks where the exact resize is a wider triangle,
    // so edges differ; how much that moves a ResNet's embeddings is measured by scripts/bench/reduced_agreement.py
    // (docs/BENCHMARKS.md).
    assertTrue(cosine >= 0.97, file + ": centred cosine " + cosine);
    assertFalse(Arrays.equals(exact, fast), file + ": decoded reduced");
    assertEquals(denominator, new ImageDecoder(ImageLimits.defaults()).decodeReduced(jpeg, 256).denominator());
  }

  @Test
  void aJpegWhoseHalfWouldNotCoverTheResizeIsDecodedExactlyInReducedMode() throws ImageFailure {
    byte[] jpeg = Corpus.resource(PARITY + "rocket.jpg"); // 640x427: 1/2 would be 214 rows, under 256
    ImagePreprocessor reduced = new ImagePreprocessor(V1, ImageLimits.defaults(), DecodeMode.REDUCED);

    assertArrayEquals(tensor(preprocessor, jpeg), tensor(reduced, jpeg));
  }

  @Test
  void reducedDecodeKeepsAResNetsEmbeddingOfEveryRealPhotograph() throws Exception {
    // Issue 11's agreement target, >= 0.99 centred cosine of the pooled embeddings for every photo, through a
    // ResNet-50 whose batch norms are far from their defaults (no trained checkpoint can be downloaded here). Our
    // exact tensor is torchvision's bit for bit (the parity tests above), so exact-vs-reduced here is
    // torchvision's pipeline against ours. Random weights send every photo to nearly the same pooled vector, so the
    // vectors are centred on the mean exact embedding of the set first: what is left is what tells photos apart.
    List<String> files = photographs().map(a -> (String) a.get()[0]).toList();
    ImagePreprocessor reduced = new ImagePreprocessor(V1, ImageLimits.defaults(), DecodeMode.REDUCED);
    int n = files.size();
    FloatBuffer exactBatch = FloatBuffer.allocate(n * preprocessor.outputSize());
    FloatBuffer reducedBatch = FloatBuffer.allocate(n * reduced.outputSize());
    for (String file : files) {
      byte[] jpeg = Corpus.resource("/images/photos/" + file);
      preprocessor.preprocess(jpeg, exactBatch);
      reduced.preprocess(jpeg, reducedBatch);
    }
    Path dir = Files.createTempDirectory("reduced-agreement").resolve("resnet50");
    List<String> labels = IntStream.range(0, 1000).mapToObj(i -> "class " + i).toList();
    SavedModelExport.export(Architecture.RESNET50, RandomWeights.withBatchNormFarFromDefaults(Architecture.RESNET50,
        1000, 0), WeightsInfo.random(0), labels, V1, dir, false);
    Prediction exact;
    Prediction fast;
    try (SavedResNet model = SavedResNet.load(dir)) {
      exact = model.predict(exactBatch.flip(), n, V1.cropSize(), V1.cropSize(), true);
      fast = model.predict(reducedBatch.flip(), n, V1.cropSize(), V1.cropSize(), true);
    } finally {
      Directories.deleteQuietly(dir.getParent());
    }

    int dim = exact.embeddings().length / n;
    double[] mean = new double[dim];
    for (int i = 0; i < n * dim; i++) {
      mean[i % dim] += exact.embeddings()[i] / n;
    }
    double closestOtherPhoto = -1;
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        if (a != b) {
          closestOtherPhoto = Math.max(closestOtherPhoto, cosine(exact.embeddings(), a, exact.embeddings(), b,
              mean));
        }
      }
    }
    // the scale to read the agreement by: two different photographs are far apart after centring
    assertTrue(closestOtherPhoto < 0.9, "different photos at centred cosine " + closestOtherPhoto);
    System.out.printf(Locale.ROOT, "Reduced decode, ResNet-50 pooled embeddings, centred cosine (different photos: "
        + "up to %.4f):%n", closestOtherPhoto);
    for (int i = 0; i < n; i++) {
      System.out.printf(Locale.ROOT, "  %-24s %.5f, top-5 overlap %d/5%n", files.get(i),
          cosine(exact.embeddings(), i, fast.embeddings(), i, mean),
          top(exact, i, 5).stream().filter(top(fast, i, 5)::contains).count());
    }
    for (int i = 0; i < n; i++) {
      double agreement = cosine(exact.embeddings(), i, fast.embeddings(), i, mean);
      assertTrue(agreement >= 0.99, files.get(i) + ": centred cosine " + agreement + " (different photos: up to "
          + closestOtherPhoto + ")");
      assertEquals(top(exact, i, 1), top(fast, i, 1), files.get(i) + ": top-1 class");
    }
  }

  @Test
  void everyCorpusFileGivesTheSameErrorCodeInBothDecodeModes() {
    ImagePreprocessor reduced = new ImagePreprocessor(V1, ImageLimits.defaults(), DecodeMode.REDUCED);
    List<Corpus.Entry> entries = new ArrayList<>(Corpus.entries());
    for (Corpus.Entry entry : entries) {
      ErrorCode exactCode = codeOf(preprocessor, entry.bytes());
      ErrorCode reducedCode = codeOf(reduced, entry.bytes());
      assertEquals(exactCode, reducedCode, entry.toString());
    }
    // and a camera-sized JPEG cut short, which only the reduced path decodes at a reduced scale
    byte[] photo = Corpus.resource("/images/photos/grace_hopper-5.6MP.jpg");
    byte[] cut = Arrays.copyOf(photo, photo.length / 2);
    assertEquals(ErrorCode.CORRUPT, codeOf(preprocessor, cut));
    assertEquals(ErrorCode.CORRUPT, codeOf(reduced, cut));
  }

  private static ErrorCode codeOf(ImagePreprocessor p, byte[] encoded) {
    try {
      p.preprocess(encoded, FloatBuffer.allocate(p.outputSize()));
      return null;
    } catch (ImageFailure e) {
      return e.code();
    }
  }

  private static float[] tensor(ImagePreprocessor p, byte[] encoded) throws ImageFailure {
    FloatBuffer dest = FloatBuffer.allocate(p.outputSize());
    p.preprocess(encoded, dest);
    return dest.array();
  }

  /** Cosine of embedding {@code i} of {@code x} and embedding {@code j} of {@code y}, both minus {@code centre}. */
  private static double cosine(float[] x, int i, float[] y, int j, double[] centre) {
    int dim = centre.length;
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int k = 0; k < dim; k++) {
      double a = x[i * dim + k] - centre[k];
      double b = y[j * dim + k] - centre[k];
      dot += a * b;
      nx += a * a;
      ny += b * b;
    }
    return dot / Math.sqrt(nx * ny);
  }

  /** The {@code k} most probable classes of image {@code i}, most probable first. */
  private static List<Integer> top(Prediction p, int i, int k) {
    return IntStream.range(0, p.classes()).boxed()
        .sorted((a, b) -> Float.compare(p.probabilities()[i * p.classes() + b], p.probabilities()[i * p.classes() + a]))
        .limit(k).toList();
  }

  /** Cosine of the two vectors after subtracting each one's mean. */
  static double centredCosine(float[] a, float[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (a[i] - ma) * (b[i] - mb);
      na += (a[i] - ma) * (a[i] - ma);
      nb += (b[i] - mb) * (b[i] - mb);
    }
    return dot / Math.sqrt(na * nb);
  }
}
