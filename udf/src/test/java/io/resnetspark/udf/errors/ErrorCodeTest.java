package io.resnetspark.udf.errors;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ErrorCodeTest {
  @Test
  void onlyReadAndModelFailuresAreWorthTryingAgain() {
    Set<ErrorCode> transientCodes = EnumSet.noneOf(ErrorCode.class);
    for (ErrorCode code : ErrorCode.values()) {
      if (code.isTransient()) {
        transientCodes.add(code);
      }
    }
    assertEquals(EnumSet.of(ErrorCode.UNREADABLE, ErrorCode.MODEL_ERROR), transientCodes);
  }

  @Test
  void propertiesOfTheBytesArePermanent() {
    for (ErrorCode code : EnumSet.of(ErrorCode.EMPTY, ErrorCode.UNSUPPORTED_FORMAT, ErrorCode.CORRUPT,
        ErrorCode.TOO_LARGE)) {
      assertFalse(code.isTransient(), code.name());
    }
  }

  @Test
  void aFailureCarriesItsCodeMessageAndCause() {
    IllegalStateException cause = new IllegalStateException("codec");
    ImageFailure failure = new ImageFailure(ErrorCode.CORRUPT, "truncated", cause);
    assertSame(ErrorCode.CORRUPT, failure.code());
    assertEquals("truncated", failure.getMessage());
    assertSame(cause, failure.getCause());
    assertNull(new ImageFailure(ErrorCode.EMPTY, "no bytes").getCause());
  }

  @Test
  void aFailureWithoutACodeIsAProgrammingError() {
    assertThrows(IllegalArgumentException.class, () -> new ImageFailure(null, "what went wrong?"));
  }
}
