package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * berth-bom pins exactly the published modules at the build's version. It has no parent (an embedder importing it must
 * get Berth's versions and nothing else), so its list and its version are spelled out beside the root pom's; this
 * test is what keeps the two from drifting when a module is added or the version changes.
 */
class BomTest {
    /** Modules of the build that are not published, hence not in the BOM. */
    private static final Set<String> UNPUBLISHED = Set.of("benchmarks", "examples", "berth-bom");

    @Test
    void theBomPinsEveryPublishedModuleAtTheBuildsVersion() throws Exception {
        Path root = projectRoot();
        Element parent = read(root.resolve("pom.xml"));
        Element bom = read(root.resolve("berth-bom/pom.xml"));

        assertThat(text(bom, "version")).isEqualTo(text(parent, "version"));
        assertThat(text(bom, "groupId")).isEqualTo(text(parent, "groupId"));

        Set<String> published = new TreeSet<>();
        for (String module : children(child(parent, "modules"), "module")) {
            if (!UNPUBLISHED.contains(module)) {
                published.add(text(read(root.resolve(module).resolve("pom.xml")), "artifactId"));
            }
        }
        assertThat(published).isNotEmpty().contains("registry-core", "registry-server");

        Set<String> pinned = new TreeSet<>();
        Element managed = child(child(bom, "dependencyManagement"), "dependencies");
        for (Element dependency : elements(managed, "dependency")) {
            assertThat(text(dependency, "groupId")).isEqualTo(text(parent, "groupId"));
            assertThat(text(dependency, "version")).as(text(dependency, "artifactId"))
                    .isEqualTo("${project.version}");
            pinned.add(text(dependency, "artifactId"));
        }
        assertThat(pinned).as("berth-bom/pom.xml lists every published module, and nothing else")
                .isEqualTo(published);
    }

    /** The folder of berth-parent's pom, found upwards from the working directory (the module's, under Maven). */
    private static Path projectRoot() throws Exception {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.exists(pom) && "berth-parent".equals(text(read(pom), "artifactId"))) {
                return dir;
            }
        }
        throw new IOException("no berth-parent pom.xml above " + Path.of("").toAbsolutePath());
    }

    private static Element read(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(pom.toFile());
        return document.getDocumentElement();
    }

    private static List<Element> elements(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = elements(parent, name);
        assertThat(found).as("<%s> in <%s>", name, parent.getTagName()).hasSize(1);
        return found.get(0);
    }

    private static List<String> children(Element parent, String name) {
        return elements(parent, name).stream().map(e -> e.getTextContent().trim()).toList();
    }

    private static String text(Element parent, String name) {
        return child(parent, name).getTextContent().trim();
    }
}
