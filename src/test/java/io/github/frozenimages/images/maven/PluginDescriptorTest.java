package io.github.frozenimages.images.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The plugin descriptor that maven-plugin-plugin generates into {@code target/classes} (process-classes, before
 * the tests): the goals exist, and every parameter a user can set is documented, has {@code @since}, and a user
 * property in the plugin's {@code images.} namespace, so that {@code images:help} and the site's goal pages
 * say what each one is and {@code -D} never collides with another plugin's property.
 */
class PluginDescriptorTest {

    /** The generated help goal is maven-plugin-plugin's, not ours; every other goal is checked. */
    private static final String HELP = "help";
    private static final String PREFIX = "images.";
    /**
     * The one property allowed to be the namespace itself: {@code -Dimages=alpine:3.20,busybox:1.36}, the
     * README's command line without a POM. Nothing else may use a bare or foreign property.
     */
    private static final Map<String, String> BARE_NAMESPACE = Map.of("images", "images");

    private static Map<String, Element> mojos;
    private static String goalPrefix;

    @BeforeAll
    static void readDescriptor() throws Exception {
        Path descriptor = Path.of(System.getProperty("basedir", "."), "target", "classes", "META-INF", "maven", "plugin.xml");
        assertTrue(Files.isRegularFile(descriptor), descriptor + " is missing: run the build up to process-classes");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(descriptor.toFile());
        goalPrefix = text(document.getDocumentElement(), "goalPrefix");
        mojos = new LinkedHashMap<>();
        for (Element mojo : children(child(document.getDocumentElement(), "mojos"), "mojo")) {
            mojos.put(text(mojo, "goal"), mojo);
        }
    }

    private static List<String> documentedGoals() {
        return mojos.keySet().stream().filter(goal -> !goal.equals(HELP)).toList();
    }

    @Test
    void theGoalsExistUnderTheImagesPrefix() {
        assertEquals("images", goalPrefix);
        assertTrue(mojos.keySet().containsAll(List.of("pull", "load", HELP)), "goals: " + mojos.keySet());
    }

    @Test
    void everyGoalHasADescriptionAndSince() {
        List<String> offenders = new ArrayList<>();
        for (String goal : documentedGoals()) {
            Element mojo = mojos.get(goal);
            if (text(mojo, "description").isBlank()) {
                offenders.add(goal + ": no description");
            }
            if (text(mojo, "since").isBlank()) {
                offenders.add(goal + ": no @since");
            }
        }
        assertEquals(List.of(), offenders, "goals not documented");
    }

    @Test
    void everyUserParameterHasJavadocSinceAndAnImagesUserProperty() {
        List<String> offenders = new ArrayList<>();
        for (String goal : documentedGoals()) {
            Element mojo = mojos.get(goal);
            Map<String, Element> configuration = new LinkedHashMap<>();
            for (Element element : children(child(mojo, "configuration"), null)) {
                configuration.put(element.getTagName(), element);
            }
            for (Element parameter : children(child(mojo, "parameters"), "parameter")) {
                String name = text(parameter, "name");
                if (!"true".equals(text(parameter, "editable"))) {
                    continue; // read-only: Maven's own session, project, settings...
                }
                String where = goal + "#" + name;
                if (text(parameter, "description").isBlank()) {
                    offenders.add(where + ": no Javadoc");
                }
                if (text(parameter, "since").isBlank()) {
                    offenders.add(where + ": no @since");
                }
                Element value = configuration.get(name);
                String expression = value == null ? "" : value.getTextContent().trim();
                String property = expression.startsWith("${") && expression.endsWith("}")
                        ? expression.substring(2, expression.length() - 1) : "";
                boolean namespaced = property.startsWith(PREFIX) && property.length() > PREFIX.length()
                        || property.equals(BARE_NAMESPACE.get(name));
                if (!namespaced) {
                    offenders.add(where + ": user property " + (property.isEmpty() ? "missing" : "'" + property + "'")
                            + ", wanted " + PREFIX + "<something>");
                }
            }
        }
        assertEquals(List.of(), offenders, "parameters without Javadoc, @since or an images. user property");
    }

    /** A failure message that tells the user to check {@code <x> or -Dy} must name a parameter that exists. */
    @Test
    void everyParameterThatFailureMessagesNameExistsWithThatProperty() {
        Map<String, String> propertiesByName = new LinkedHashMap<>();
        for (String goal : documentedGoals()) {
            for (Element value : children(child(mojos.get(goal), "configuration"), null)) {
                String expression = value.getTextContent().trim();
                if (expression.startsWith("${") && expression.endsWith("}")) {
                    propertiesByName.put(value.getTagName(), expression.substring(2, expression.length() - 1));
                }
            }
        }
        List<String> offenders = new ArrayList<>();
        for (UserParameter parameter : UserParameter.values()) {
            if (parameter.element() != null && !parameter.property().equals(propertiesByName.get(parameter.element()))) {
                offenders.add(parameter + ": the goals' <" + parameter.element() + "> has the property "
                        + propertiesByName.get(parameter.element()));
            }
        }
        assertEquals(List.of(), offenders, "failure messages that name a parameter the goals do not have");
    }

    @Test
    void mavenComponentsAreReadOnly() {
        List<String> offenders = new ArrayList<>();
        for (String goal : documentedGoals()) {
            for (Element parameter : children(child(mojos.get(goal), "parameters"), "parameter")) {
                if (text(parameter, "type").startsWith("org.apache.maven.") && !"false".equals(text(parameter, "editable"))) {
                    offenders.add(goal + "#" + text(parameter, "name"));
                }
            }
        }
        assertEquals(List.of(), offenders, "Maven's injected objects must be readonly = true");
    }

    private static Element child(Element parent, String tag) {
        List<Element> found = children(parent, tag);
        assertEquals(1, found.size(), "<" + parent.getTagName() + "> must hold one <" + tag + ">");
        return found.get(0);
    }

    /** Direct children only: a mojo's {@code <parameters>} and {@code <configuration>} share names with others. */
    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element e && (tag == null || tag.equals(e.getTagName()))) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String tag) {
        List<Element> found = children(parent, tag);
        return found.isEmpty() ? "" : found.get(0).getTextContent().trim();
    }
}
