/**
 * The one LogOutputChannel ("Skill Metrics"). The core logs through src/common/log.ts; this points that
 * facade at the channel, so core and editor messages land in one place, tagged with their component.
 */
import * as vscode from 'vscode';
import type { LogLevel } from '../common/log';
import { setLogSink } from '../common/log';
import { EXTENSION_NAME } from './constants';

export function createLogChannel(): vscode.LogOutputChannel {
  const channel = vscode.window.createOutputChannel(EXTENSION_NAME, { log: true });
  setLogSink({
    log(level: LogLevel, component: string, message: string): void {
      const line = `[${component}] ${message}`;
      switch (level) {
        case 'trace':
          channel.trace(line);
          break;
        case 'debug':
          channel.debug(line);
          break;
        case 'info':
          channel.info(line);
          break;
        case 'warn':
          channel.warn(line);
          break;
        case 'error':
          channel.error(line);
          break;
      }
    },
  });
  return channel;
}

/** Detaches the core's logging from the channel (deactivate). */
export function detachLogChannel(): void {
  setLogSink(undefined);
}
