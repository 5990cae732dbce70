package org.postino.extensions.smtp;

import java.io.File;
import java.util.function.LongSupplier;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses new mail with {@code 452 4.3.1 Insufficient system storage} while the disk holding the
 * data directory has less than {@code minFreeSpace} free, so that senders keep their mail and
 * retry later instead of the server failing half-way through storing it. Mail already accepted
 * is not affected.
 *
 * <p>Parameter {@code minFreeSpace}: a size with a unit ({@code 512M}, {@code 2G}, {@code 100K});
 * default {@code 256M}. Declare it in the handler chain of every listener that takes mail:
 * <pre>{@code
 * <handler class="org.postino.extensions.smtp.RequireFreeSpaceHook">
 *     <minFreeSpace>512M</minFreeSpace>
 * </handler>
 * }</pre>
 */
public class RequireFreeSpaceHook implements MailHook {

    static final String REPLY_CODE = "452";
    static final String DESCRIPTION = "4.3.1 Insufficient system storage, try again later";
    private static final Logger LOGGER = LoggerFactory.getLogger(RequireFreeSpaceHook.class);
    private static final long DEFAULT_MIN_FREE = 256L * 1024 * 1024;

    private final LongSupplier freeSpace;
    private long minFreeSpace = DEFAULT_MIN_FREE;

    @Inject
    public RequireFreeSpaceHook(JamesDirectoriesProvider directories) {
        this(() -> new File(directories.getVarDirectory()).getUsableSpace());
    }

    RequireFreeSpaceHook(LongSupplier freeSpace) {
        this.freeSpace = freeSpace;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        String value = config.getString("minFreeSpace", null);
        if (value != null) {
            minFreeSpace = parseSize(value);
        }
    }

    static long parseSize(String value) throws ConfigurationException {
        return Sizes.bytes(value, 't').orElseThrow(() -> new ConfigurationException("RequireFreeSpaceHook: minFreeSpace = '"
            + value + "': expected a size such as 512M or 2G"));
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        long free = freeSpace.getAsLong();
        if (free >= minFreeSpace) {
            return HookResult.DECLINED;
        }
        LOGGER.warn("Refusing new mail: {} bytes free on the data disk, below minFreeSpace {}", free, minFreeSpace);
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.denySoft())
            .smtpReturnCode(REPLY_CODE)
            .smtpDescription(DESCRIPTION)
            .build();
    }
}
