package org.postino.server.jmap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.james.jmap.JMAPConfiguration;
import org.apache.james.jmap.JMAPRoutes;
import org.apache.james.jmap.JMAPServer;
import org.apache.james.jmap.Version;
import org.apache.james.jmap.core.JmapRfc8621Configuration;
import org.apache.james.jmap.draft.JMAPDraftConfiguration;
import org.apache.james.jmap.draft.JMAPListenerModule;
import org.apache.james.modules.protocols.JMAPServerModule;
import org.apache.james.modules.protocols.JmapEventBusModule;
import org.apache.james.util.Port;
import org.postino.server.autoconfig.AutoconfigRoutes;
import org.postino.server.tls.SelfSignedKeystore;
import org.postino.server.web.CookieAuthenticationStrategy;
import org.postino.server.web.RateLimitedBasicAuthentication;
import org.postino.server.web.WebmailModule;

import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;

/**
 * James's JMAP (RFC 8621, and the older draft James still serves) with Postino's settings: the HTTPS listener of
 * {@link PostinoJmapServer}, the data of {@link JmapDataModule}, James's configuration objects built from
 * {@code conf/jmap.properties} (see {@link JmapSettings}) instead of read by James, and the webmail's server side
 * ({@link WebmailModule}) on the same listener.
 *
 * <p>James's JMAP module also brings the mail queue's post-dequeue step (a message sent with JMAP moves from Outbox
 * to Sent) and the mailet container's fallback configuration; with JMAP on, the mailet container must run
 * {@code VacationMailet} and {@code JMAPFiltering} for local recipients (James checks it at start-up).
 *
 * <p>The same listener also answers mail clients' automatic set-up requests (Outlook Autodiscover, Thunderbird
 * autoconfig): {@link AutoconfigRoutes}, one more route set of James's RFC 8621 route handler.
 */
public final class JmapModules {

    /** Signs the draft protocol's tokens (not the listener's certificate), alias {@code james} as James wants it. */
    static final String SIGNING_KEYSTORE = "jmap/signing.p12";
    static final String SIGNING_PASSWORD = "postino-jmap-signing";

    private JmapModules() {
    }

    public static Module of(JmapSettings settings, Path dataDirectory) throws IOException, InterruptedException {
        Path signing = dataDirectory.resolve(SIGNING_KEYSTORE);
        if (settings.enabled()) {
            SelfSignedKeystore.generate(signing, "james", SIGNING_PASSWORD, "CN=Postino JMAP signing key", null);
        }
        JMAPConfiguration jmap = JMAPConfiguration.builder()
            .enabled(settings.enabled())
            .port(Port.of(settings.port()))
            .defaultVersion(Version.RFC8621)
            .disableEmailQueryView()
            .disableUserProvisioning()
            .build();
        JMAPDraftConfiguration draft = JMAPDraftConfiguration.builder()
            .enabled(settings.enabled())
            .keystore("file://" + signing.toAbsolutePath())
            .keystoreType("PKCS12")
            .secret(SIGNING_PASSWORD)
            .jwtPublicKeyPem(List.of())
            .authenticationStrategies(Optional.empty())
            .build();
        BaseConfiguration rfc8621Properties = new BaseConfiguration();
        rfc8621Properties.addProperty("url.prefix", settings.urlPrefix().toString());
        rfc8621Properties.addProperty("websocket.url.prefix", settings.websocketPrefix().toString());
        rfc8621Properties.addProperty("upload.max.size", Long.toString(settings.maxUploadBytes()));
        // Basic for JMAP clients (under the webmail's sign-in rate limits), the webmail's session cookie for browsers.
        // James's default also lists JWT bearer tokens, which Postino configures no key for (every token would be
        // refused): left out.
        JmapRfc8621Configuration rfc8621 = JmapRfc8621Configuration.from(rfc8621Properties)
            .withAuthenticationStrategies(Optional.of(List.of(
                RateLimitedBasicAuthentication.class.getName(), CookieAuthenticationStrategy.class.getName())));

        Module james = Modules.combine(
            new JmapEventBusModule(),
            new JMAPServerModule(),
            new JMAPListenerModule(),
            new JmapDataModule(dataDirectory),
            // automatic mail client set-up (Autodiscover, autoconfig) on the same HTTPS listener; no JMAP version asked
            binder -> Multibinder.newSetBinder(binder, JMAPRoutes.class).addBinding().to(AutoconfigRoutes.class),
            new WebmailModule(Optional.of(settings.urlPrefix())));
        return Modules.override(james).with(binder -> {
            binder.bind(JmapSettings.class).toInstance(settings);
            binder.bind(JMAPConfiguration.class).toInstance(jmap);
            binder.bind(JMAPDraftConfiguration.class).toInstance(draft);
            binder.bind(JmapRfc8621Configuration.class).toInstance(rfc8621);
            binder.bind(PostinoJmapServer.class).in(Scopes.SINGLETON);
            binder.bind(JMAPServer.class).to(PostinoJmapServer.class);
        });
    }
}
