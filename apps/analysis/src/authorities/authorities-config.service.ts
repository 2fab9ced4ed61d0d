import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AuthoritiesConfigError } from './authorities-config.exception';
import { loadAuthoritiesConfig } from './authorities-config.loader';
import type { AuthoritiesConfig } from './authorities.types';

export type ReloadOutcome = { reloaded: true } | { reloaded: false; error: string };

/**
 * Holds the live authorities configuration. It is loaded once at boot (an invalid file stops the
 * service) and again on SIGHUP, where an invalid file is logged and the previous one kept.
 */
@Injectable()
export class AuthoritiesConfigService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuthoritiesConfigService.name);
  private readonly onHangup = (): void => {
    this.reload();
  };

  private constructor(
    private readonly path: string,
    private config: AuthoritiesConfig,
  ) {}

  /** Loads the file or throws AuthoritiesConfigError; `watchSignals` subscribes to SIGHUP. */
  static open(path: string, options: { watchSignals: boolean }): AuthoritiesConfigService {
    const service = new AuthoritiesConfigService(path, loadAuthoritiesConfig(path));
    if (options.watchSignals) process.on('SIGHUP', service.onHangup);
    return service;
  }

  /** Logged once the application's logger is in place (the file is read before Nest starts). */
  onModuleInit(): void {
    const { alert_types: builtIn, custom_alert_types: custom } = this.config;
    this.logger.log({
      msg: 'authorities configuration loaded',
      path: this.path,
      alert_types: Object.keys(builtIn).length,
      custom_alert_types: Object.keys(custom).length,
    });
  }

  current(): AuthoritiesConfig {
    return this.config;
  }

  reload(): ReloadOutcome {
    try {
      this.config = loadAuthoritiesConfig(this.path);
      this.logger.log({ msg: 'authorities configuration reloaded', path: this.path });
      return { reloaded: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof AuthoritiesConfigError ? error.code : 'CONFIG.AUTHORITIES_UNREADABLE';
      this.logger.error({ msg: 'authorities configuration rejected; keeping the previous one', code, error: message });
      return { reloaded: false, error: message };
    }
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onHangup);
  }
}
