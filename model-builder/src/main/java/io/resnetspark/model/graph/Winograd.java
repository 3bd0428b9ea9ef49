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
 * A stride-1, padding-1 3x3 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016), as TF ops: each 2x2 output tile comes from a 4x4 input tile
 * with 16 multiplies per (input, output) channel pair instead of 36. The 16 products are 16 1x1 convolutions (GEMMs
 * over all tiles) with kernels transformed once at export, {@code U = G g G^T}; the input transform {@code B^T d B}
 * and the output transform {@code A^T M A} are sums and differences of strided slices.
 *
 * <p>Opt-in and not used by the export: measured on this CPU it does not gain (docs/BENCHMARKS.md, issue 14).
 */
public final class Winograd {
  /** B^T: the input transform, applied to rows and then columns of each 4x4 tile. */
  static final int[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  /** G: the kernel transform, 4x3. */
  static final double[][] G = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  /** A^T: the output transform, 2x4. */
  static final int[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}};

  private Winograd() {
  }

  /**
   * The 16 transformed kernels {@code U[a][b] = (G g G^T)[a][b]} of a PyTorch OIHW 3x3 kernel, each as a 1x1 HWIO
   * kernel [1, 1, in, out], in row-major (a, b) order. Computed in double, rounded once.
   */
  public static List<TensorData> transformedKernels(TensorData oihw) {
    long[] s = oihw.shape();
    if (s.length != 4 || s[2] != 3 || s[3] != 3) {
      throw new IllegalArgumentException("Winograd F(2x2,3x3) needs a 3x3 kernel, got " + oihw.shapeString());
    }
    int out = (int) s[0];
    int in = (int) s[1];
    float[] g = oihw.data();
    float[][] u = new float[16][in * out];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        int base = (o * in + i) * 9;
        for (int a = 0; a < 4; a++) {
          for (int b = 0; b < 4; b++) {
            double sum = 0;
            for (int h = 0; h < 3; h++) {
              for (int w = 0; w < 3; w++) {
                sum += G[a][h] * g[base + h * 3 + w] * G[b][w];
              }
            }
            u[a * 4 + b][i * out + o] = (float) sum;
          }
        }
      }
    }
    List<TensorData> kernels = new ArrayList<>(16);
    for (float[] k : u) {
      kernels.add(new TensorData(new long[] {1, 1, in, out}, k));
    }
    return kernels;
  }

  /**
   * PyTorch's 3x3 convolution with stride 1 and padding 1 of NHWC {@code x} by the PyTorch OIHW kernel
   * {@code oihw}, for any height and width: the input is padded by one on the top and left and by one or two on the
   * bottom and right (two for an odd size, so the 2x2 tiles cover it), the output cropped back to the input's size.
   * The transformed kernels are constants named {@code <name>.winograd_<a><b>}.
   */
  public static Operand<TFloat32> conv3x3(Ops tf, Operand<TFloat32> x, String name, TensorData oihw) {
    List<TensorData> kernels = transformedKernels(oihw);
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> height = tf.gather(shape, tf.constant(1), tf.constant(0));
    Operand<TInt32> width = tf.gather(shape, tf.constant(2), tf.constant(0));
    Operand<TInt32> two = tf.constant(2);
    Operand<TInt32> bottom = tf.math.add(tf.constant(1), tf.math.mod(height, two));
    Operand<TInt32> right = tf.math.add(tf.constant(1), tf.math.mod(width, two));
    Operand<TInt32> zero = tf.constant(0);
    Operand<TInt32> one = tf.constant(1);
    Operand<TInt32> paddings = tf.reshape(tf.stack(List.of(zero, zero, one, bottom, one, right, zero, zero)),
        tf.constant(new int[] {4, 2}));
    Operand<TFloat32> padded = tf.pad(x, paddings, tf.constant(0f));
    // d[u][v]: element (u, v) of every 4x4 tile, [N, tiles_h, tiles_w, C]; tiles start every 2 pixels
    Operand<TFloat32>[][] d = tiles(tf, padded);
    Operand<TFloat32>[][] rows = transform(tf, BT, d, 4);
    Operand<TFloat32>[][] v = transposed(transform(tf, BT, transposed(rows), 4));
    @SuppressWarnings("unchecked")
    Operand<TFloat32>[][] m = new Operand[4][4];
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        Operand<TFloat32> u = WeightOperands.constant(tf, name + ".winograd_" + a + b, kernels.get(a * 4 + b));
        m[a][b] = tf.nn.conv2d(v[a][b], u, List.of(1L, 1L, 1L, 1L), "VALID");
      }
    }
    Operand<TFloat32>[][] half = transform(tf, AT, m, 2);
    Operand<TFloat32>[][] y = transposed(transform(tf, AT, transposed(half), 2));
    // y[i][j] holds output pixel (2t + i, 2s + j) of tile (t, s): depth-to-space puts channel block (i * 2 + j) there
    Operand<TFloat32> tiled = tf.nn.depthToSpace(tf.concat(List.of(y[0][0], y[0][1], y[1][0], y[1][1]),
        tf.constant(3)), 2L);
    Operand<TInt32> size = tf.stack(List.of(tf.constant(-1), height, width, tf.constant(-1)));
    return tf.slice(tiled, tf.constant(new int[] {0, 0, 0, 0}), size);
  }

  /** The 16 strided views d[u][v] = padded[:, u::2, v::2, :] cut to the same number of tiles. */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32>[][] tiles(Ops tf, Operand<TFloat32> padded) {
    Operand<TFloat32>[][] d = new Operand[4][4];
    for (int u = 0; u < 4; u++) {
      for (int v = 0; v < 4; v++) {
        // padded size is 2 * tiles + 2, so tiles start at u, u + 2, ... and end 3 - u before the end
        int[] begin = {0, u, v, 0};
        int[] end = {0, u - 3, v - 3, 0};
        long endMask = 1 | 8 | (u == 3 ? 2 : 0) | (v == 3 ? 4 : 0);
        d[u][v] = tf.stridedSlice(padded, tf.constant(begin), tf.constant(end), tf.constant(new int[] {1, 2, 2, 1}),
            StridedSlice.beginMask(1L | 8L), StridedSlice.endMask(endMask));
      }
    }
    return d;
  }

  /** out[r][k] = sum over s of t[r][s] * in[s][k], for the rows of a 0/±1 matrix t: sums and differences only. */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32>[][] transform(Ops tf, int[][] t, Operand<TFloat32>[][] in, int rows) {
    int cols = in[0].length;
    Operand<TFloat32>[][] out = new Operand[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < cols; k++) {
        Operand<TFloat32> sum = null;
        for (int s = 0; s < t[r].length; s++) {
          if (t[r][s] == 0) {
            continue;
          }
          if (sum == null) {
            sum = t[r][s] > 0 ? in[s][k] : tf.math.neg(in[s][k]);
          } else {
            sum = t[r][s] > 0 ? tf.math.add(sum, in[s][k]) : tf.math.sub(sum, in[s][k]);
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
