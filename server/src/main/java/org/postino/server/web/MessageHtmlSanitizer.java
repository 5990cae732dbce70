package org.postino.server.web;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.owasp.html.AttributePolicy;
import org.owasp.html.CssSchema;
import org.owasp.html.ElementPolicy;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/**
 * Makes a message's HTML safe to show, with the OWASP Java HTML Sanitizer: an allow-list of formatting, table, link and
 * image elements and of their harmless attributes; everything else goes, with the text of unknown elements kept.
 * <ul>
 *   <li>gone: scripts, event handlers ({@code on*}), forms and their controls, frames, objects and embeds, SVG and
 *       MathML, {@code <meta>} (refresh), {@code <base>}, {@code <link>} (external style sheets), {@code <style>}
 *       elements, {@code class} and {@code id};</li>
 *   <li>{@code style} attributes are rewritten by the library's CSS allow-list: no {@code url()}, no
 *       {@code expression()}, no {@code @import}, no positioning out of the message's box;</li>
 *   <li>links keep {@code http:}, {@code https:} and {@code mailto:} addresses only, and open in a new window
 *       without telling the target where they came from ({@code target="_blank" rel="noopener noreferrer"});</li>
 *   <li>images: {@code cid:} references become same-origin addresses of the message's own parts (a resolver
 *       supplied by the caller); remote ({@code http:}, {@code https:}, {@code //}) images are withheld unless asked
 *       for, and then fetched over HTTPS only; {@code data:} images only as base64 PNG, GIF, JPEG or WebP; anything
 *       else is dropped.</li>
 * </ul>
 */
public final class MessageHtmlSanitizer {

    /** Whether the message referred to remote images, and what became of them. */
    public enum RemoteImages {
        /** No remote image in the message. */
        NONE("none"),
        /** Remote images were present and withheld. */
        BLOCKED("blocked"),
        /** Remote images were present and kept (as asked). */
        SHOWN("shown");

        private final String header;

        RemoteImages(String header) {
            this.header = header;
        }

        public String header() {
            return header;
        }
    }

    public record Result(String html, RemoteImages remoteImages) {
    }

    private static final Pattern LENGTH = Pattern.compile("[0-9]{1,4}(\\.[0-9]{1,2})?(%|px)?");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,4}");
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,24}");
    private static final Pattern ALIGN = Pattern.compile("(?i)left|right|center|justify|top|middle|bottom|baseline");
    private static final Pattern DIRECTION = Pattern.compile("(?i)ltr|rtl|auto");
    private static final Pattern LANGUAGE = Pattern.compile("[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,4}");
    private static final Pattern FONT_FACE = Pattern.compile("[\\p{L}0-9 ,'\"_-]{1,120}");
    private static final Pattern FONT_SIZE = Pattern.compile("[+-]?[1-7]");
    private static final Pattern LIST_TYPE = Pattern.compile("[1aAiI]|(?i)disc|circle|square");
    private static final Pattern DATA_IMAGE =
        Pattern.compile("data:image/(png|gif|jpeg|webp);base64,[a-z0-9+/=\\s]+", Pattern.CASE_INSENSITIVE);

    private static final List<String> ELEMENTS = List.of(
        "p", "div", "span", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
        "blockquote", "pre", "code", "tt", "kbd", "samp", "var", "b", "i", "u", "s", "strike", "em", "strong", "small",
        "big", "sub", "sup", "font", "center", "abbr", "acronym", "cite", "q", "del", "ins", "mark", "address",
        "article", "section", "header", "footer", "aside", "nav", "main", "figure", "figcaption", "wbr",
        "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col", "img", "a");

    private MessageHtmlSanitizer() {
    }

    /**
     * @param cidResolver   a {@code cid:} reference (the part after {@code cid:}, as written) to the address of the
     *                      message part it names, or empty when the message has no such part
     * @param remoteImages  whether to keep remote images
     */
    public static Result sanitize(String html, Function<String, Optional<String>> cidResolver, boolean remoteImages) {
        AtomicBoolean remoteSeen = new AtomicBoolean();
        String safe = policy(cidResolver, remoteImages, remoteSeen).sanitize(html);
        RemoteImages state = !remoteSeen.get() ? RemoteImages.NONE : remoteImages ? RemoteImages.SHOWN : RemoteImages.BLOCKED;
        return new Result(safe, state);
    }

    private static PolicyFactory policy(Function<String, Optional<String>> cidResolver, boolean showRemote,
                                        AtomicBoolean remoteSeen) {
        AttributePolicy imageSource = (element, attribute, value) -> {
            String trimmed = value.trim();
            String lower = trimmed.toLowerCase(Locale.ROOT);
            if (lower.startsWith("cid:")) {
                return cidResolver.apply(trimmed.substring("cid:".length())).orElse(null);
            }
            if (lower.startsWith("https://") || lower.startsWith("http://") || lower.startsWith("//")) {
                remoteSeen.set(true);
                if (!showRemote) {
                    return null;
                }
                if (lower.startsWith("http://")) {
                    return "https://" + trimmed.substring("http://".length());
                }
                return lower.startsWith("//") ? "https:" + trimmed : trimmed;
            }
            return DATA_IMAGE.matcher(trimmed).matches() ? trimmed : null;
        };
        AttributePolicy linkAddress = (element, attribute, value) -> {
            String trimmed = value.trim();
            String lower = trimmed.toLowerCase(Locale.ROOT);
            return lower.startsWith("https://") || lower.startsWith("http://") || lower.startsWith("mailto:") ? trimmed : null;
        };
        ElementPolicy newWindow = (element, attributes) -> {
            for (int i = 0; i < attributes.size(); i += 2) {
                if (attributes.get(i).equals("href")) {
                    attributes.add("target");
                    attributes.add("_blank");
                    break;
                }
            }
            return element;
        };
        return new HtmlPolicyBuilder()
            .allowElements(ELEMENTS.toArray(String[]::new))
            .allowElements(newWindow, "a")
            // cid: and data: pass the library's protocol filter here; the attribute policies above decide per use
            .allowUrlProtocols("http", "https", "mailto", "cid", "data")
            .allowAttributes("href").matching(linkAddress).onElements("a")
            .allowAttributes("src").matching(imageSource).onElements("img")
            .allowAttributes("alt").onElements("img")
            .allowAttributes("title").globally()
            .allowAttributes("dir").matching(DIRECTION).globally()
            .allowAttributes("lang").matching(LANGUAGE).globally()
            .allowAttributes("align").matching(ALIGN).globally()
            .allowAttributes("valign").matching(ALIGN).onElements("td", "th", "tr", "thead", "tbody", "tfoot", "col", "colgroup")
            .allowAttributes("width", "height").matching(LENGTH)
                .onElements("img", "table", "td", "th", "col", "colgroup", "hr")
            .allowAttributes("border", "cellpadding", "cellspacing").matching(NUMBER).onElements("table", "img")
            .allowAttributes("colspan", "rowspan", "span").matching(NUMBER).onElements("td", "th", "col", "colgroup")
            .allowAttributes("bgcolor").matching(COLOR).onElements("table", "tr", "td", "th")
            .allowAttributes("color").matching(COLOR).onElements("font", "hr")
            .allowAttributes("face").matching(FONT_FACE).onElements("font")
            .allowAttributes("size").matching(FONT_SIZE).onElements("font")
            .allowAttributes("start").matching(NUMBER).onElements("ol")
            .allowAttributes("value").matching(NUMBER).onElements("li")
            .allowAttributes("type").matching(LIST_TYPE).onElements("ol", "ul", "li")
            .allowAttributes("nowrap").onElements("td", "th")
            .allowAttributes("summary").onElements("table")
            .allowStyling(CssSchema.DEFAULT)
            .requireRelsOnLinks("noopener", "noreferrer")
            .toFactory();
    }
}
