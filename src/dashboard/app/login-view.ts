/**
 * The sign-in card, shown when the server wants a token and the page has none (or the one
 * it had was refused). The token goes to sessionStorage, never into the URL.
 */
import { h, replaceChildren } from './dom.ts';

export class LoginView {
  readonly element = h('div', { class: 'login', hidden: true });
  readonly #message = h('p', { class: 'login-error', role: 'alert', hidden: true });
  readonly #input = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'eyJhbGciOi…',
    'aria-describedby': 'token-help',
    required: true,
  });

  constructor(private readonly onToken: (token: string) => void) {
    const form = h(
      'form',
      { class: 'login-card', 'aria-labelledby': 'login-title' },
      h('h1', { id: 'login-title' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '❯_'), 'tmux-monitor'),
      h('p', {}, 'This server needs an access token.'),
      this.#message,
      h('label', { for: 'token' }, 'Token'),
      this.#input,
      h(
        'p',
        { id: 'token-help', class: 'muted' },
        'Create one on the server with ',
        h('code', {}, 'tmux-monitor token --role viewer'),
        ' (or ',
        h('code', {}, '--role operator'),
        ' to send messages). It is kept for this tab only.',
      ),
      h('button', { type: 'submit', class: 'primary' }, 'Connect'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const token = this.#input.value.trim();
      if (token) this.onToken(token);
    });
    this.element.append(form);
  }

  /** Shows the card, with why (null: just asking). */
  show(error: string | null): void {
    this.element.hidden = false;
    this.#message.hidden = error === null;
    replaceChildren(this.#message, error ?? '');
    this.#input.value = '';
    this.#input.focus();
  }

  hide(): void {
    this.element.hidden = true;
  }
}
