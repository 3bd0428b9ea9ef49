package io.resnetspark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class BuildInfoTest {
  @Test
  void theVersionIsTheProjectVersionThePomDeclares() throws Exception {
    // Surefire runs in the module's directory, whose pom names the project version in <parent>.
    Element parent;
    try (InputStream pom = Files.newInputStream(Path.of("pom.xml"))) {
      parent = (Element) DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom)
          .getElementsByTagName("parent").item(0);
    }
    String declared = parent.getElementsByTagName("version").item(0).getTextContent().trim();
    assertEquals(declared, BuildInfo.VERSION);
  }
}
