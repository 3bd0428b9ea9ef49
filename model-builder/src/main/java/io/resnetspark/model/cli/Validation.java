package io.resnetspark.model.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Range checks on options, reported as usage errors naming the option. */
final class Validation {
  private Validation() {
  }

  static void positive(CommandSpec spec, String option, long value) {
    atLeast(spec, option, value, 1);
  }

  static void atLeast(CommandSpec spec, String option, long value, long minimum) {
    if (value < minimum) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          option + " must be at least " + minimum + ", got " + value);
    }
  }
}
