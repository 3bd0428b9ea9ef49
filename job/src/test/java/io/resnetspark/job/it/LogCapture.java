package io.resnetspark.job.it;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything logged in this JVM (driver, and in local mode the executors) while open, with stack traces, at
 * {@code level} or above for every logger: at INFO that is more than conf/log4j2.properties lets users see.
 */
final class LogCapture implements AutoCloseable {
  private final StringWriter text = new StringWriter();
  private final LoggerContext context;
  private final Appender appender;
  private final Level previousRootLevel;

  private LogCapture(Level level) {
    context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    appender = WriterAppender.newBuilder()
        .setName("it-capture-" + System.nanoTime())
        .setTarget(text)
        .setLayout(PatternLayout.newBuilder().withConfiguration(config).withPattern("%p %c: %m%n%ex").build())
        .setConfiguration(config)
        .build();
    appender.start();
    config.addAppender(appender);
    LoggerConfig root = config.getRootLogger();
    previousRootLevel = root.getLevel();
    root.addAppender(appender, level, null);
    root.setLevel(level);
    // Named loggers with their own level (e.g. io.resnetspark at INFO) pass events on to the root's appenders.
    context.updateLoggers();
  }

  static LogCapture at(Level level) {
    return new LogCapture(level);
  }

  String text() {
    synchronized (text) {
      return text.toString();
    }
  }

  @Override
  public void close() {
    LoggerConfig root = context.getConfiguration().getRootLogger();
    root.removeAppender(appender.getName());
    root.setLevel(previousRootLevel);
    context.updateLoggers();
    appender.stop();
  }
}
