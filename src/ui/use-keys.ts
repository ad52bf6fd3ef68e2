import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKeys } from './keys.js';
import type { KeyEvent } from './keys.js';

/**
 * Key events from ink's raw input stream, decoded by decodeKeys. ink's own
 * useInput cannot tell F-keys apart, nor Backspace from Delete, so the UI
 * reads the raw sequences (still through ink's stdin handling and raw mode).
 */
export function useKeys(onKey: (e: KeyEvent) => void, isActive = true): void {
  const { internal_eventEmitter: emitter, setRawMode, isRawModeSupported } = useStdin();
  const handler = useRef(onKey);
  handler.current = onKey;
  useEffect(() => {
    if (!isActive || !isRawModeSupported) return undefined;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isActive, isRawModeSupported, setRawMode]);
  useEffect(() => {
    if (!isActive) return undefined;
    const listen = (raw: string) => {
      for (const e of decodeKeys(raw)) handler.current(e);
    };
    emitter.on('input', listen);
    return () => {
      emitter.off('input', listen);
    };
  }, [isActive, emitter]);
}
