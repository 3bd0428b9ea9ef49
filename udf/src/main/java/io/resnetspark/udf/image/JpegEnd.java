package io.resnetspark.udf.image;

/**
 * Whether a JPEG's data reaches its end-of-image marker, for decodes that stop after the rows they need and so
 * never reach the place where a truncated file ends. Inside entropy-coded data a 0xFF byte is always followed by
 * 0x00 or a restart marker, so an EOI (FF D9) after the last start-of-scan (FF DA) means the last scan is whole.
 */
final class JpegEnd {

  private JpegEnd() {}

  static boolean hasEndOfImage(byte[] jpeg) {
    for (int i = jpeg.length - 2; i >= 0; i--) {
      if ((jpeg[i] & 0xFF) == 0xFF) {
        int marker = jpeg[i + 1] & 0xFF;
        if (marker == 0xD9) {
          return true;
        }
        if (marker == 0xDA) {
          return false;
        }
      }
    }
    return false;
  }
}
