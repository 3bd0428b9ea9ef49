package io.resnetspark.model.graph;

import io.resnetspark.model.weights.TensorData;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A stride-1, padding-1 3x3 convolution by Winograd's minimal filtering F(m x m, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016), as TF ops: each m x m output tile comes from an
 * (m + 2) x (m + 2) input tile with (m + 2)^2 multiplies per (input, output) channel pair instead of 9 m^2. The
 * products are (m + 2)^2 1x1 convolutions (GEMMs over all tiles) with kernels transformed once at export,
 * {@code U = G g G^T}; the input transform {@code B^T d B} and the output transform {@code A^T M A} are weighted sums
 * of strided slices. One code path serves every {@link Tiling}; a tiling is only its three matrices.
 *
 * <p>Opt-in and not used by the export: measured on this CPU F(2x2) does not gain (docs/BENCHMARKS.md, issue 14).
 */
public final class Winograd {
  /** The kernel size every tiling is for. */
  static final int R = 3;

  /** A tiling F(m x m, 3x3): its output tile size m and Lavin and Gray's transform matrices. */
  public enum Tiling {
    /** F(2x2, 3x3): 4x4 input tiles, 16 products; the transforms only add, subtract and halve. */
    F2X2(2,
        new double[][] {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
        new double[][] {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
        new double[][] {{1, 1, 1, 0}, {0, 1, -1, -1}}),
    /**
     * F(4x4, 3x3): 6x6 input tiles, 36 products (4x fewer multiplies than direct, against 2.25x for F(2x2)); the
     * transforms scale by up to 8 and divide by 24, so its float32 error is larger.
     */
    F4X4(4,
        new double[][] {
            {4, 0, -5, 0, 1, 0},
            {0, -4, -4, 1, 1, 0},
            {0, 4, -4, -1, 1, 0},
            {0, -2, -1, 2, 1, 0},
            {0, 2, -1, -2, 1, 0},
            {0, 4, 0, -5, 0, 1}},
        new double[][] {
            {1.0 / 4, 0, 0},
            {-1.0 / 6, -1.0 / 6, -1.0 / 6},
            {-1.0 / 6, 1.0 / 6, -1.0 / 6},
            {1.0 / 24, 1.0 / 12, 1.0 / 6},
            {1.0 / 24, -1.0 / 12, 1.0 / 6},
            {0, 0, 1}},
        new double[][] {
            {1, 1, 1, 1, 1, 0},
            {0, 1, -1, 2, -2, 0},
            {0, 1, 1, 4, 4, 0},
            {0, 1, -1, 8, -8, 1}});

    private final int m;
    private final double[][] bt;
    private final double[][] g;
    private final double[][] at;

    Tiling(int m, double[][] bt, double[][] g, double[][] at) {
      this.m = m;
      this.bt = bt;
      this.g = g;
      this.at = at;
    }

    /** Output tile size m. */
    public int m() {
      return m;
    }

    /** Input tile size m + 2: tiles overlap by the kernel's 2 extra rows and columns. */
    public int alpha() {
      return m + R - 1;
    }

    /** B^T, alpha x alpha: the input transform, applied to the rows and then the columns of each input tile. */
    double[][] bt() {
      return copy(bt);
    }

    /** G, alpha x 3: the kernel transform. */
    double[][] g() {
      return copy(g);
    }

    /** A^T, m x alpha: the output transform. */
    double[][] at() {
      return copy(at);
    }

    private static double[][] copy(double[][] a) {
      double[][] c = new double[a.length][];
      for (int i = 0; i < a.length; i++) {
        c[i] = a[i].clone();
      }
      return c;
    }
  }

  private Winograd() {
  }

  /**
   * The alpha^2 transformed kernels {@code U[a][b] = (G g G^T)[a][b]} of a PyTorch OIHW 3x3 kernel, each as a 1x1
   * HWIO kernel [1, 1, in, out], in row-major (a, b) order. Computed in double, rounded once.
   */
  public static List<TensorData> transformedKernels(Tiling t, TensorData oihw) {
    long[] s = oihw.shape();
    if (s.length != 4 || s[2] != R || s[3] != R) {
      throw new IllegalArgumentException("Winograd " + t + " needs a 3x3 kernel, got " + oihw.shapeString());
    }
    int out = (int) s[0];
    int in = (int) s[1];
    int alpha = t.alpha();
    float[] g = oihw.data();
    float[][] u = new float[alpha * alpha][in * out];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        int base = (o * in + i) * R * R;
        for (int a = 0; a < alpha; a++) {
          for (int b = 0; b < alpha; b++) {
            double sum = 0;
            for (int h = 0; h < R; h++) {
              for (int w = 0; w < R; w++) {
                sum += t.g[a][h] * g[base + h * R + w] * t.g[b][w];
              }
            }
            u[a * alpha + b][i * out + o] = (float) sum;
          }
        }
      }
    }
    List<TensorData> kernels = new ArrayList<>(alpha * alpha);
    for (float[] k : u) {
      kernels.add(new TensorData(new long[] {1, 1, in, out}, k));
    }
    return kernels;
  }

  /**
   * PyTorch's 3x3 convolution with stride 1 and padding 1 of NHWC {@code x} by the PyTorch OIHW kernel
   * {@code oihw}, for any height and width: the input is padded by one on the top and left and by one to m on the
   * bottom and right (so the m x m output tiles cover it), the output cropped back to the input's size. The
   * transformed kernels are constants named {@code <name>.winograd_<a><b>}.
   */
  public static Operand<TFloat32> conv3x3(Ops tf, Tiling t, Operand<TFloat32> x, String name, TensorData oihw) {
    List<TensorData> kernels = transformedKernels(t, oihw);
    int alpha = t.alpha();
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> height = tf.gather(shape, tf.constant(1), tf.constant(0));
    Operand<TInt32> width = tf.gather(shape, tf.constant(2), tf.constant(0));
    Operand<TInt32> zero = tf.constant(0);
    Operand<TInt32> one = tf.constant(1);
    Operand<TInt32> paddings = tf.reshape(tf.stack(List.of(zero, zero, one, coverPadding(tf, height, t.m()),
        one, coverPadding(tf, width, t.m()), zero, zero)), tf.constant(new int[] {4, 2}));
    Operand<TFloat32> padded = tf.pad(x, paddings, tf.constant(0f));
    // d[u][v]: element (u, v) of every input tile, [N, tiles_h, tiles_w, C]; tiles start every m pixels
    Operand<TFloat32>[][] d = tiles(tf, padded, t);
    Operand<TFloat32>[][] rows = transform(tf, t.bt, d);
    Operand<TFloat32>[][] v = transposed(transform(tf, t.bt, transposed(rows)));
    @SuppressWarnings("unchecked")
    Operand<TFloat32>[][] m = new Operand[alpha][alpha];
    for (int a = 0; a < alpha; a++) {
      for (int b = 0; b < alpha; b++) {
        Operand<TFloat32> u = WeightOperands.constant(tf, name + ".winograd_" + a + b, kernels.get(a * alpha + b));
        m[a][b] = tf.nn.conv2d(v[a][b], u, List.of(1L, 1L, 1L, 1L), "VALID");
      }
    }
    Operand<TFloat32>[][] half = transform(tf, t.at, m);
    Operand<TFloat32>[][] y = transposed(transform(tf, t.at, transposed(half)));
    // y[i][j] holds output pixel (m * r + i, m * c + j) of tile (r, c): depth-to-space puts channel block
    // (i * m + j) there
    List<Operand<TFloat32>> blocks = new ArrayList<>(t.m() * t.m());
    for (Operand<TFloat32>[] row : y) {
      blocks.addAll(List.of(row));
    }
    Operand<TFloat32> tiled = tf.nn.depthToSpace(tf.concat(blocks, tf.constant(3)), (long) t.m());
    Operand<TInt32> size = tf.stack(List.of(tf.constant(-1), height, width, tf.constant(-1)));
    return tf.slice(tiled, tf.constant(new int[] {0, 0, 0, 0}), size);
  }

  /**
   * Bottom (or right) padding for an input side of {@code length}: one for the convolution, plus what rounds the
   * output up to whole tiles of {@code m}, so the padded side is {@code m * ceil(length / m) + 2}.
   */
  static Operand<TInt32> coverPadding(Ops tf, Operand<TInt32> length, int m) {
    Operand<TInt32> tile = tf.constant(m);
    return tf.math.add(tf.constant(1), tf.math.mod(tf.math.sub(tile, tf.math.mod(length, tile)), tile));
  }

  /** The alpha^2 strided views d[u][v] = padded[:, u::m, v::m, :] cut to the same number of tiles. */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32>[][] tiles(Ops tf, Operand<TFloat32> padded, Tiling t) {
    int alpha = t.alpha();
    Operand<TFloat32>[][] d = new Operand[alpha][alpha];
    for (int u = 0; u < alpha; u++) {
      for (int v = 0; v < alpha; v++) {
        // padded size is m * tiles + 2, so tiles start at u, u + m, ... and end alpha - 1 - u before the end
        int[] begin = {0, u, v, 0};
        int[] end = {0, u - (alpha - 1), v - (alpha - 1), 0};
        long endMask = 1 | 8 | (u == alpha - 1 ? 2 : 0) | (v == alpha - 1 ? 4 : 0);
        d[u][v] = tf.stridedSlice(padded, tf.constant(begin), tf.constant(end),
            tf.constant(new int[] {1, t.m(), t.m(), 1}), StridedSlice.beginMask(1L | 8L),
            StridedSlice.endMask(endMask));
      }
    }
    return d;
  }

  /**
   * out[r][k] = sum over s of t[r][s] * in[s][k]: zero coefficients are skipped, ±1 are an add or a subtract, any
   * other coefficient a multiply by a scalar constant first.
   */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32>[][] transform(Ops tf, double[][] t, Operand<TFloat32>[][] in) {
    int cols = in[0].length;
    Operand<TFloat32>[][] out = new Operand[t.length][cols];
    for (int r = 0; r < t.length; r++) {
      for (int k = 0; k < cols; k++) {
        Operand<TFloat32> sum = null;
        for (int s = 0; s < t[r].length; s++) {
          double c = t[r][s];
          if (c == 0) {
            continue;
          }
          Operand<TFloat32> term = Math.abs(c) == 1 ? in[s][k]
              : tf.math.mul(in[s][k], tf.constant((float) Math.abs(c)));
          if (sum == null) {
            sum = c > 0 ? term : tf.math.neg(term);
          } else {
            sum = c > 0 ? tf.math.add(sum, term) : tf.math.sub(sum, term);
          }
        }
        out[r][k] = sum;
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Operand<TFloat32>[][] transposed(Operand<TFloat32>[][] in) {
    Operand<TFloat32>[][] out = new Operand[in[0].length][in.length];
    for (int r = 0; r < in.length; r++) {
      for (int c = 0; c < in[0].length; c++) {
        out[c][r] = in[r][c];
      }
    }
    return out;
  }
}
