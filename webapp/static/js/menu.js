// The header's menu on phones (a disclosure button), the Teaching/Admin drop-downs
// (close on Escape and on a click elsewhere), and the footer's theme switch.
const THEME_KEY = 'theme';

function setUpMenu() {
  const button = document.querySelector('.menu-toggle');
  const menu = document.getElementById('site-menu');
  if (!button || !menu) return;
  button.hidden = false;
  const setOpen = (open) => {
    button.setAttribute('aria-expanded', String(open));
    menu.classList.toggle('open', open);
  };
  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.classList.contains('open')) {
      setOpen(false);
      button.focus();
    }
  });
}

function setUpGroups() {
  const groups = Array.from(document.querySelectorAll('details.menu-group'));
  groups.forEach((group) => {
    group.addEventListener('toggle', () => {
      if (group.open) groups.filter((g) => g !== group).forEach((g) => { g.open = false; });
    });
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && group.open) {
        group.open = false;
        group.querySelector('summary').focus();
      }
    });
  });
  document.addEventListener('click', (event) => {
    groups.forEach((group) => {
      if (group.open && !group.contains(event.target)) group.open = false;
    });
  });
}

function setUpThemeSwitch() {
  const select = document.getElementById('theme-switch');
  if (!select) return;
  const root = document.documentElement;
  select.value = root.dataset.theme || 'system';
  select.closest('.theme-choice').hidden = false;
  select.addEventListener('change', () => {
    const choice = select.value;
    if (choice === 'light' || choice === 'dark') root.dataset.theme = choice;
    else delete root.dataset.theme;
    try {
      if (choice === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, choice);
    } catch (e) {
      // Not saved (storage refused): the choice holds for this page only.
    }
  });
}

setUpMenu();
setUpGroups();
setUpThemeSwitch();
