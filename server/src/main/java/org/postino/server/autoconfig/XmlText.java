package org.postino.server.autoconfig;

import java.io.StringWriter;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes a small XML document, indented two spaces a level, every text and attribute escaped by the JDK's writer.
 * Elements take the default namespace of their parent unless one is declared.
 */
final class XmlText {

    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newDefaultFactory();

    private final StringWriter text = new StringWriter();
    private final XMLStreamWriter writer;
    private int depth;

    XmlText() {
        try {
            writer = OUTPUT.createXMLStreamWriter(text);
            writer.writeStartDocument("utf-8", "1.0");
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Opens an element; with {@code namespace} not null, declares it as the default namespace there. */
    XmlText open(String name, String namespace) {
        try {
            newLine();
            writer.writeStartElement(name);
            if (namespace != null) {
                writer.writeDefaultNamespace(namespace);
            }
            depth++;
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    XmlText open(String name) {
        return open(name, null);
    }

    XmlText attribute(String name, String value) {
        try {
            writer.writeAttribute(name, value);
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <name>value</name>} on a line of its own; an empty value gives {@code <name/>}. */
    XmlText element(String name, String value) {
        try {
            newLine();
            if (value == null || value.isEmpty()) {
                writer.writeEmptyElement(name);
            } else {
                writer.writeStartElement(name);
                writer.writeCharacters(value);
                writer.writeEndElement();
            }
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    XmlText close() {
        try {
            depth--;
            newLine();
            writer.writeEndElement();
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        try {
            while (depth > 0) {
                close();
            }
            writer.writeEndDocument();
            writer.flush();
            return text + "\n";
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    private void newLine() throws XMLStreamException {
        writer.writeCharacters("\n" + "  ".repeat(depth));
    }
}
