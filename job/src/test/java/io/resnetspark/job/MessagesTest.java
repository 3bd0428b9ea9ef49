package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class MessagesTest {
  @Test
  void keepsOnlyTheFirstLineOfAMessage() {
    assertEquals("cannot open", Messages.firstLine(new IOException("cannot open\n\tat some.Frame")));
  }

  @Test
  void namesTheExceptionWhenItHasNoMessage() {
    assertEquals("NullPointerException", Messages.firstLine(new NullPointerException()));
  }

  @Test
  void addsTheInnermostCauseToTheOuterMessage() {
    Exception wrapped = new RuntimeException("Job aborted", new IllegalStateException("stage failed",
        new IOException("disk full\nmore detail")));
    assertEquals("Job aborted (cause: IOException: disk full)", Messages.rootMessage(wrapped));
  }

  @Test
  void aMessageWithoutCauseIsItsOwnRoot() {
    assertEquals("plain", Messages.rootMessage(new IOException("plain")));
  }
}
