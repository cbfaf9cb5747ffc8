// What the dashboard's forms share: the submit button disabled while a submission's work
// runs (no second request from a double click), and the "Done" button of a result shown
// once (a minted key, a provisioned list) that forgets it.
import { $, announce } from './dom.js';

/** Runs `work()` with the submit button of `form` disabled; answers what it answers (or throws what it throws). */
export async function submitting(form, work) {
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

/** The button `doneId` forgets a shown-once result (`forget()`), says `message` and focuses `nextId`. */
export function onDone(doneId, forget, message, nextId) {
  $(doneId).addEventListener('click', () => {
    forget();
    announce(message);
    $(nextId).focus();
  });
}
