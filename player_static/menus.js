/* Menu buttons of the player (speed, quality, captions): a real button with
 * aria-haspopup/aria-expanded opening a list of menuitemradio buttons.
 *
 * Enter, Space or a click opens the menu on the checked item; Arrow Down / Up on the
 * button open it on the first / last item. In the menu: arrows move (wrapping), Home and
 * End jump, Enter or a click chooses and gives focus back to the button, Escape closes
 * and gives focus back, Tab closes and moves on (no trap). A click outside closes it.
 *
 *   const menu = menuButton(button, list, (item) => { ... });
 *   menu.add(label, data) → the new item; menu.check(item); menu.items(); menu.close()
 */

export function menuButton(button, list, onChoose) {
    var container = button.parentElement;

    function items() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=menuitemradio]"));
    }

    function open(focusLast) {
      var all = items();
      if (!all.length) return;
      list.hidden = false;
      button.setAttribute("aria-expanded", "true");
      var checked = all.filter(function (i) { return i.getAttribute("aria-checked") === "true"; })[0];
      (focusLast ? all[all.length - 1] : checked || all[0]).focus();
    }

    function close(returnFocus) {
      if (list.hidden) return;
      list.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (returnFocus) button.focus();
    }

    function moveFocus(step) {
      var all = items();
      var at = all.indexOf(document.activeElement);
      all[(at + step + all.length) % all.length].focus();
    }

    button.addEventListener("click", function () {
      if (list.hidden) open(false);
      else close(true);
    });

    button.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        open(event.key === "ArrowUp");
      }
    });

    list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=menuitemradio]");
      if (!item) return;
      close(true);
      onChoose(item);
    });

    list.addEventListener("keydown", function (event) {
      var all = items();
      if (event.key === "ArrowDown") moveFocus(1);
      else if (event.key === "ArrowUp") moveFocus(-1);
      else if (event.key === "Home") all[0].focus();
      else if (event.key === "End") all[all.length - 1].focus();
      else if (event.key === "Escape") close(true);
      else if (event.key === "Tab") { close(false); return; }
      else return;
      event.preventDefault();
      event.stopPropagation();
    });

    // Focus or a click leaving the control closes the menu.
    container.addEventListener("focusout", function (event) {
      if (!container.contains(event.relatedTarget)) close(false);
    });
    document.addEventListener("click", function (event) {
      if (!container.contains(event.target)) close(false);
    });

    return {
      /* A new item at the end; data goes to its dataset. */
      add: function (label, data) {
        var li = document.createElement("li");
        li.setAttribute("role", "none");
        var item = document.createElement("button");
        item.type = "button";
        item.setAttribute("role", "menuitemradio");
        item.setAttribute("aria-checked", "false");
        item.tabIndex = -1;
        Object.keys(data || {}).forEach(function (key) { item.dataset[key] = data[key]; });
        item.textContent = label;
        li.appendChild(item);
        list.appendChild(li);
        return item;
      },
      /* Mark one item (or none) as the chosen one. */
      check: function (chosen) {
        items().forEach(function (item) {
          item.setAttribute("aria-checked", item === chosen ? "true" : "false");
        });
      },
      items: items,
      close: close,
    };
}
