// Berth console: copy buttons and tag selection. Loaded as a module from the console itself (no inline script).

const status = document.getElementById('copy-status');

function say(text) {
  if (status) {
    status.textContent = text;
  }
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    say('Copied: ' + text);
    button.classList.add('copied');
  } catch (e) {
    // No clipboard (an insecure origin, or permission refused): select the text so that Ctrl+C copies it.
    const field = button.parentElement.querySelector('input[readonly]');
    if (field) {
      field.focus();
      field.select();
    }
    say('Press Ctrl+C to copy: ' + text);
  }
}

for (const button of document.querySelectorAll('button[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', () => copy(button.dataset.copy, button));
}

const form = document.getElementById('tags-form');
const all = document.getElementById('select-all');
const del = document.getElementById('delete-selected');
if (form && del) {
  const boxes = () => Array.from(form.querySelectorAll('input[type=checkbox][name=tag]'));
  const update = () => {
    const n = boxes().filter((b) => b.checked).length;
    del.disabled = n === 0;
    del.textContent = n === 0 ? 'Delete selected tags…' : 'Delete ' + n + (n === 1 ? ' tag…' : ' tags…');
    if (all) {
      all.checked = n > 0 && n === boxes().length;
      all.indeterminate = n > 0 && n < boxes().length;
    }
  };
  if (all) {
    all.hidden = false;
    all.addEventListener('change', () => {
      for (const b of boxes()) {
        b.checked = all.checked;
      }
      update();
    });
  }
  form.addEventListener('change', (e) => {
    if (e.target !== all) {
      update();
    }
  });
  update();
}
