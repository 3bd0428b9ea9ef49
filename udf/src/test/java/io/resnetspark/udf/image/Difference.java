package io.resnetspark.udf.image;

/** Per-sample absolute differences between two 8-bit RGB images of the same size, in levels. */
record Difference(int max, double mean, int differing) {

  static Difference of(RgbImage expected, RgbImage actual) {
    if (expected.width() != actual.width() || expected.height() != actual.height()) {
      throw new AssertionError("sizes differ: " + expected.width() + "x" + expected.height() + " vs "
          + actual.width() + "x" + actual.height());
    }
    byte[] a = expected.pixels();
    byte[] b = actual.pixels();
    int max = 0;
    long sum = 0;
    int differing = 0;
    for (int i = 0; i < a.length; i++) {
      int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
      max = Math.max(max, d);
      sum += d;
      differing += d == 0 ? 0 : 1;
    }
    return new Difference(max, (double) sum / a.length, differing);
  }
}
