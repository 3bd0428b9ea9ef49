package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

class StorageErrorsTest {
  /** What S3A throws for a refused request: the SDK's exception inside a java.nio AccessDeniedException. */
  private static AccessDeniedException refusedByS3(int status, String errorCode) {
    S3Exception.Builder sdk = S3Exception.builder().statusCode(status);
    if (errorCode != null) {
      sdk.awsErrorDetails(AwsErrorDetails.builder().errorCode(errorCode).build());
    }
    AccessDeniedException denied = new AccessDeniedException("s3a://lake/labels", null,
        "getFileStatus on s3a://lake/labels: software.amazon.awssdk.services.s3.model.S3Exception: null (Service: S3,"
            + " Status Code: " + status + ", Request ID: 1A2B):null");
    denied.initCause(sdk.build());
    return denied;
  }

  @Test
  void aRequestS3RefusedNamesTheStatusAndTheCredentialsToCheck() {
    String message = StorageErrors.describe(refusedByS3(403, "SignatureDoesNotMatch"));
    assertTrue(message.startsWith("access denied by S3 (HTTP 403 SignatureDoesNotMatch): the credentials are wrong, "
        + "expired or not allowed to use this bucket; S3A takes them from"), message);
    assertTrue(message.contains("AWS_SECRET_ACCESS_KEY"), message);
    assertEquals(1, message.lines().count());
  }

  @Test
  void aRefusalWithoutErrorDetailsAsForHeadRequestsStillNamesTheStatus() {
    assertTrue(StorageErrors.describe(refusedByS3(401, null)).startsWith("access denied by S3 (HTTP 401): "));
  }

  @Test
  void aRefusalFoundDeeperInTheCauseChainCounts() {
    IOException wrapped = new IOException("cannot pack the model", refusedByS3(403, "InvalidAccessKeyId"));
    assertTrue(StorageErrors.describe(wrapped).startsWith("access denied by S3 (HTTP 403 InvalidAccessKeyId)"));
  }

  @Test
  void otherFailuresKeepTheFirstLineOfTheirOwnMessage() {
    assertEquals("Connection refused", StorageErrors.describe(new ConnectException("Connection refused\n\tmore")));
    assertEquals("IOException", StorageErrors.describe(new IOException()));
    assertEquals("not found", StorageErrors.describe(
        new IOException("not found", S3Exception.builder().statusCode(404).build())), "only 401 and 403 are refusals");
  }
}
