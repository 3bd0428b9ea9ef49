package io.resnetspark.model.pretrained;

import java.io.IOException;

/**
 * Published weights that cannot be used: not reachable (the message names the URL, the cache path where the file
 * can be put by hand and the mirror variable) or not the file their name promises (it names both digests). The
 * message is one line, meant for the user as it is.
 */
public final class WeightsFetchException extends IOException {
  WeightsFetchException(String message) {
    super(message);
  }
}
