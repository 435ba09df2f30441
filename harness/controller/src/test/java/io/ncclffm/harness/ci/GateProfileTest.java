package io.ncclffm.harness.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The sign-off gate ({@code -Pgpu-matrix}) runs the matrix, not the unit tests again: CI's build job runs those on
 * the same commit, and a unit test's bad moment on a busy runner must not stand between a matrix and its gate.
 */
class GateProfileTest {

    @Test
    void gpuMatrixProfile_skipsSurefire_inEveryModule_butNotTheMatrixItself() throws Exception {
        Document root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ProjectFiles.ROOT.resolve("pom.xml").toFile());
        NodeList skip = (NodeList) XPathFactory.newInstance().newXPath().evaluate(
                "/*[local-name()='project']/*[local-name()='profiles']/*[local-name()='profile'][*[local-name()='id']='gpu-matrix']"
                        + "//*[local-name()='plugin'][*[local-name()='artifactId']='maven-surefire-plugin']"
                        + "/*[local-name()='configuration']/*[local-name()='skipTests']", root, XPathConstants.NODESET);
        assertEquals(1, skip.getLength(), "the root pom's gpu-matrix profile configures surefire's skipTests (inherited by every module)");
        assertEquals("true", skip.item(0).getTextContent().strip());
        // The matrix runs through failsafe, which the profile must leave on; skipTests as a property would stop it too.
        for (String pom : List.of("pom.xml", "harness/controller/pom.xml")) {
            String text = Files.readString(ProjectFiles.ROOT.resolve(pom));
            assertTrue(!text.contains("<skipTests>true</skipTests>") || text.indexOf("<skipTests>true</skipTests>")
                    > text.indexOf("<artifactId>maven-surefire-plugin</artifactId>", text.indexOf("<id>gpu-matrix</id>")),
                    pom + " sets skipTests only on surefire, inside the gpu-matrix profile");
            assertTrue(!text.contains("<skipITs>true") && !text.contains("<maven.test.skip>"), pom + " does not skip the matrix");
        }
    }
}
