package io.resnetspark.job;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * One-line explanations of storage failures found on the driver, saying what a user can do about them. S3A reports a
 * refused request (HTTP 401 or 403) as an {@code AccessDeniedException} whose text is the SDK's, e.g.
 * {@code S3Exception: null (Service: S3, Status Code: 403, Request ID: ...):null}, which does not say that the usual
 * cause is a wrong, expired or unauthorised key.
 */
final class StorageErrors {
  /** Where S3A looks for keys, as conf/spark-s3a.conf sets it up. */
  static final String S3_CREDENTIAL_SOURCES = "S3A takes them from the AWS provider chain (AWS_ACCESS_KEY_ID and "
      + "AWS_SECRET_ACCESS_KEY, or an instance or container role), or from fs.s3a.access.key and fs.s3a.secret.key";

  private StorageErrors() {
  }

  /** Why {@code e} happened, in one line: for a request S3 refused, the status and the credentials to check. */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AwsServiceException aws && (aws.statusCode() == 401 || aws.statusCode() == 403)) {
        String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
        return "access denied by S3 (HTTP " + aws.statusCode() + (code == null ? "" : " " + code) + "): the "
            + "credentials are wrong, expired or not allowed to use this bucket; " + S3_CREDENTIAL_SOURCES;
      }
    }
    return Messages.firstLine(e);
  }

}
