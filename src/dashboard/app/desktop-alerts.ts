/**
 * Desktop notifications (the browser's Notification API) for panes that start needing a
 * person, once the person allows them; optionally with a short sound (Web Audio, so no file
 * is fetched). The choices are remembered in localStorage.
 */
const ENABLED_KEY = 'tmux-monitor.desktop-notifications';
const SOUND_KEY = 'tmux-monitor.sound';

function setting(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage disabled: the choice lasts as long as the page
  }
}

export interface Alert {
  /** One notification per pane: a newer one replaces it. */
  tag: string;
  title: string;
  body: string;
  onclick: () => void;
}

export class DesktopAlerts {
  #sound = setting(SOUND_KEY) === 'on';
  #off = setting(ENABLED_KEY) === 'off';
  #audio: AudioContext | null = null;

  get supported(): boolean {
    return typeof Notification !== 'undefined';
  }

  get permission(): NotificationPermission | 'unsupported' {
    return this.supported ? Notification.permission : 'unsupported';
  }

  /** Allowed by the browser and not turned off here. */
  get enabled(): boolean {
    return this.permission === 'granted' && !this.#off;
  }

  get sound(): boolean {
    return this.#sound;
  }

  /** Ask the browser (must follow a click); resolves with whether alerts are now on. */
  async enable(): Promise<boolean> {
    this.#off = false;
    remember(ENABLED_KEY, 'on');
    if (this.permission === 'default') await Notification.requestPermission();
    return this.enabled;
  }

  disable(): void {
    this.#off = true;
    remember(ENABLED_KEY, 'off');
  }

  setSound(on: boolean): void {
    this.#sound = on;
    remember(SOUND_KEY, on ? 'on' : 'off');
  }

  show(alert: Alert): void {
    if (this.#sound) this.#beep();
    if (!this.enabled) return;
    try {
      const n = new Notification(alert.title, { body: alert.body, tag: alert.tag });
      n.onclick = () => {
        window.focus();
        n.close();
        alert.onclick();
      };
    } catch {
      // Some browsers only allow notifications from a service worker: nothing to do then.
    }
  }

  #beep(): void {
    try {
      this.#audio ??= new AudioContext();
      const ctx = this.#audio;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch {
      // no audio
    }
  }
}
