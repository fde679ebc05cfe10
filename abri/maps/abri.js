/* abri's map behaviour, the only script abri adds (inlined in every map; see maps/base.py).
 * abri.init(map, cfg) builds every layer and control from one JSON config written by Python.
 * HTML in cfg (popups, sheets) is escaped by Python; plain text from cfg goes through abri.esc. */
var abri = (function () {
  'use strict';

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  /* lower case, no accents, no punctuation, abbreviations written out: "St-Étienne" matches "saint etienne" */
  var ABBR = {st: 'saint', ste: 'sainte', sts: 'saints', stes: 'saintes', mt: 'mont'};
  function norm(s) {
    return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()
      .split(' ').map(function (w) { return ABBR[w] || w; }).join(' ');
  }
  /* a folded name without its leading article: "le havre" -> "havre", "l isle adam" -> "isle adam" */
  function bare(k) { return k.replace(/^(le|la|les|l) (?=\S)/, ''); }

  /* entries: [{text, exact, rank, go}]; best first: an exact name or code (a department, rank 0,
     before a town, 1, before a centre, 2), then a word starting with the query, then any match */
  function search(entries, query, limit) {
    var q = norm(query), qb = bare(q), tiers = [[], [], []];
    if (!q) { return []; }
    entries.forEach(function (e) {
      var k = e.key || (e.key = norm(e.text));
      var exact = e.exactKeys || (e.exactKeys = (e.exact || []).map(norm).map(bare));
      var at = k.indexOf(q) >= 0 ? k.indexOf(q) : k.indexOf(qb);
      if (exact.indexOf(qb) >= 0) { tiers[0].push(e); } else if (at === 0 || (at > 0 && k.charAt(at - 1) === ' ')) { tiers[1].push(e); } else if (at > 0) { tiers[2].push(e); }
    });
    var byRank = function (a, b) { return (a.rank || 0) - (b.rank || 0); };
    return tiers[0].sort(byRank).concat(tiers[1].sort(byRank), tiers[2]).slice(0, limit || 8);
  }

  /* the panel's "changed since version N": people moved, then each kind of change with its coaches */
  function changesHtml(ch) {
    if (!ch) { return ''; }
    return '<div class="abri-changes"><div class="abri-head">' + esc(ch.title) + '</div><div>' + esc(ch.moved) + '</div>' +
      ch.kinds.map(function (k) {
        return '<div class="abri-change" data-change="' + esc(k[0]) + '">' + esc(k[1]) + ' (' + k[2].length + '): ' + k[2].map(function (c) {
          return '<button type="button" class="abri-changed-coach" data-coach="' + esc(c) + '">' + esc(c) + '</button>';
        }).join(' ') + '</div>';
      }).join('') + '</div>';
  }

  function control(position, className, html) {
    var C = L.Control.extend({options: {position: position}, onAdd: function () {
      var div = L.DomUtil.create('div', 'leaflet-control abri-box ' + className);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }});
    return new C();
  }

  function legendHtml(title, rows, shape) {
    return '<b>' + esc(title) + '</b>' + rows.map(function (r) {
      return '<div><i class="abri-key abri-key-' + shape + '" style="' + (shape === 'line' || shape === 'dash' ? 'border-color:' : 'background:') + esc(r[0]) +
        '"></i>' + esc(r[1]) + '</div>';
    }).join('');
  }

  var CANCELLED = '#555';

  function init(map, cfg) {
    var T = cfg.text, state = {measure: cfg.measures.length ? cfg.measures[0].key : null, day: '', selected: null};
    var box = map.getContainer();
    map.options.minZoom = cfg.zooms.min;
    map.options.maxZoom = cfg.zooms.max;  /* marker clusters need it */
    box.classList.add('abri-map');

    /* title, zoom, panel, legend, attribution: Leaflet stacks controls in each corner, so they never overlap */
    control('topleft', 'abri-title', '<b>' + esc(cfg.title) + '</b><div class="abri-sub">' + esc(cfg.subtitle) + '</div>' +
      (cfg.version ? '<div class="abri-version">' + esc(cfg.version) + '</div>' : '') +
      (cfg.label ? '<div class="abri-label">' + esc(cfg.label) + '</div>' : '')).addTo(map);
    var titleBox = box.querySelector('.abri-title');
    function pad() {  /* popups open clear of the title and of the bottom controls */
      var corner = titleBox.parentNode;  /* the top-left corner: title and zoom */
      return {autoPanPaddingTopLeft: [10, corner.offsetTop + corner.offsetHeight + 10], autoPanPaddingBottomRight: [10, 40],
              maxWidth: Math.min(360, box.clientWidth - 84)};  /* a popup (content and its 44 px margins) fits a phone, its cross in view */
    }
    L.control.zoom({position: 'topleft'}).addTo(map);
    L.control.scale({position: 'bottomleft', imperial: false, maxWidth: 120}).addTo(map);
    map.attributionControl.setPrefix('');
    map.attributionControl.addAttribution(esc(cfg.attribution));

    map.createPane('abri-depts').style.zIndex = 300;
    map.createPane('abri-roads').style.zIndex = 350;
    map.createPane('abri-names').style.zIndex = 450;
    map.createPane('abri-stops').style.zIndex = 650;

    /* departments: one layer, restyled by the measure chosen */
    var depts = L.geoJSON(cfg.depts, {
      pane: 'abri-depts',
      style: function (f) { return deptStyle(f); },
      onEachFeature: function (f, l) {
        l.bindPopup(f.properties.popup, pad());
        l.bindTooltip(function () {
          var v = state.measure ? f.properties.values[state.measure] : '';
          return esc(f.properties.nom) + ' (' + esc(f.properties.code) + ')' + (v !== '' ? ': ' + esc(v) : '');
        }, {sticky: true});
      }
    }).addTo(map);
    function deptStyle(f) {
      return {fillColor: state.measure ? f.properties.fill[state.measure] : '#f7f7f7', fillOpacity: cfg.deptOpacity,
              color: '#666', weight: 0.7, className: 'abri-dept'};
    }

    /* reference: major roads drawn lightly, department names and main towns */
    var roads = L.polyline(cfg.reference.roads, {pane: 'abri-roads', color: '#8c7a5b', weight: 1.2, opacity: 0.55,
                                                 interactive: false, className: 'abri-road'}).addTo(map);
    var names = L.layerGroup(cfg.reference.names.map(function (n) {
      return L.marker([n[0], n[1]], {pane: 'abri-names', interactive: false, keyboard: false,
        icon: L.divIcon({className: 'abri-name abri-name-' + n[3], html: '<span>' + esc(n[2]) + '</span>', iconSize: null})});
    })).addTo(map);
    function zoomClasses() {
      var z = map.getZoom();
      box.classList.toggle('abri-show-depts', z >= cfg.zooms.depts);
      box.classList.toggle('abri-show-towns', z >= cfg.zooms.towns);
    }
    map.on('zoomend', zoomClasses);

    /* centres: clustered markers whose cluster shows the places it holds */
    var centres = cfg.centres.features.map(function (c) {
      var r = c.r, m = L.marker([c.lat, c.lon], {cap: c.cap, title: c.name, icon: L.divIcon({
        className: 'abri-centre', iconSize: [2 * r, 2 * r],
        html: '<div style="width:' + 2 * r + 'px;height:' + 2 * r + 'px;background:' + esc(c.colour) + '"></div>'})});
      m.bindPopup(c.popup, pad());
      m.abri = c;
      return m;
    });
    var centreLayer = cfg.centres.cluster ? L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: 45,
      iconCreateFunction: function (cl) {
        var places = 0, kids = cl.getAllChildMarkers();
        kids.forEach(function (m) { places += m.options.cap; });
        var size = places > 999 ? 44 : places > 99 ? 36 : 30;
        return L.divIcon({className: 'abri-cluster', iconSize: [size, size],
          html: '<div data-n="' + kids.length + '" title="' + kids.length + ' ' + esc(T.centres) + ', ' + places + ' ' + esc(T.cluster_unit) + '">' +
            places + '<small>' + esc(T.cluster_unit) + '</small></div>'});
      }
    }) : L.featureGroup();
    centreLayer.addTo(map);
    function showCentres() {
      centreLayer.clearLayers();
      var keep = centres.filter(function (m) { return !state.day || m.abri.days.indexOf(state.day) >= 0; });
      if (centreLayer.addLayers) { centreLayer.addLayers(keep); } else { keep.forEach(function (m) { centreLayer.addLayer(m); }); }
    }
    showCentres();

    /* trips: hover highlights, click opens the trip sheet with numbered stops and arrows */
    var tripLayer = L.featureGroup().addTo(map), stopLayer = L.layerGroup().addTo(map);
    var trips = cfg.trips.map(function (t) {
      var line = L.polyline(t.coords, t.changed ? changedStyle(t) : {color: t.colour, weight: t.w, opacity: 0.8, className: 'abri-trip'});
      line.abri = t;
      line.bindTooltip(t.tip, {sticky: true});
      line.on('mouseover', function () { line.setStyle({weight: t.w + 4, opacity: 1}); line.bringToFront(); });
      line.on('mouseout', function () { if (state.selected !== line) { line.setStyle({weight: t.w, opacity: 0.8}); } });
      line.on('click', function (e) { selectTrip(line, e.latlng); });
      return line;
    });
    /* coaches changed since the parent version: dashed (cancelled ones grey, on their old road) */
    function changedStyle(t) {
      var gone = t.changed === 'cancelled';
      return {color: gone ? CANCELLED : t.colour, weight: t.w, opacity: 0.8, dashArray: gone ? '3 7' : '10 6',
              className: 'abri-trip abri-changed abri-changed-' + t.changed};
    }
    function showTrips() {
      tripLayer.clearLayers();
      trips.forEach(function (l) { if (!state.day || l.abri.day === state.day) { tripLayer.addLayer(l); } });
    }
    showTrips();
    function bearing(a, b) {
      var p = map.project(a), q = map.project(b);
      return Math.atan2(q.y - p.y, q.x - p.x) * 180 / Math.PI;
    }
    function selectTrip(line, at) {
      var t = line.abri;
      if (state.selected && state.selected !== line) { state.selected.setStyle({weight: state.selected.abri.w, opacity: 0.8}); }
      state.selected = line;
      line.setStyle({weight: t.w + 4, opacity: 1});
      line.bringToFront();
      stopLayer.clearLayers();
      t.stops.forEach(function (s, i) {
        L.marker([s[0], s[1]], {pane: 'abri-stops', title: s[2], icon: L.divIcon({className: 'abri-stop', iconSize: [20, 20],
          html: '<div style="border-color:' + esc(t.colour) + '">' + (i + 1) + '</div>'})}).addTo(stopLayer);
      });
      var c = t.coords;
      [0.25, 0.5, 0.75].forEach(function (f) {  /* direction: arrows along the road */
        var i = Math.min(c.length - 2, Math.floor(f * (c.length - 1)));
        if (i < 0) { return; }
        L.marker(c[i], {pane: 'abri-stops', interactive: false, icon: L.divIcon({className: 'abri-arrow', iconSize: [16, 16],
          html: '<div style="transform:rotate(' + bearing(c[i], c[i + 1]).toFixed(0) + 'deg);color:' + esc(t.colour) + '">&#10148;</div>'})}).addTo(stopLayer);
      });
      var html = '<div class="abri-sheet-text">' + t.sheet + '</div>';
      if (box.clientWidth >= cfg.foldBelow) {  /* wide screen: the sheet sits in the panel, the trip stays in view */
        map.closePopup();
        setFolded(false);
        sheetBox.innerHTML = '<button type="button" class="abri-close" aria-label="close">&times;</button>' + html;
        sheetBox.style.display = 'block';
      } else {  /* narrow screen: a popup, closed with its cross */
        L.popup(L.extend(pad(), {className: 'abri-sheet'}))
          .setLatLng(at || c[Math.floor(c.length / 2)]).setContent(html).openOn(map);
      }
    }
    function deselect() {
      if (state.selected) { state.selected.setStyle({weight: state.selected.abri.w, opacity: 0.8}); }
      state.selected = null;
      stopLayer.clearLayers();
      sheetBox.style.display = 'none';
      sheetBox.innerHTML = '';
    }
    map.on('popupclose', function (e) { if (e.popup.options.className === 'abri-sheet') { deselect(); } });
    /* an open popup hides every tooltip (a sticky one would sit under it, or over its text) */
    map.on('popupopen', function () {
      box.classList.add('abri-popup-open');
      map.eachLayer(function (l) { if (l.closeTooltip) { l.closeTooltip(); } });
    });
    map.on('popupclose', function () { box.classList.remove('abri-popup-open'); });

    /* the panel: search, measure, day, layers; folded on narrow screens */
    var html = '<button type="button" class="abri-fold" aria-expanded="true">' + esc(T.panel) + '</button>' +
      '<div class="abri-sheet-box" style="display:none"></div><div class="abri-body">' + changesHtml(cfg.changes) +
      '<input type="search" class="abri-search" placeholder="' + esc(cfg.trips.length ? T.search_plan : T.search) + '" aria-label="' +
      esc(T.search) + '"><div class="abri-results"></div>';
    if (cfg.days.length) {
      html += '<label class="abri-row">' + esc(T.day) + ' <select class="abri-day"><option value="">' + esc(T.all_days) + '</option>' +
        cfg.days.map(function (d) { return '<option value="' + esc(d[0]) + '">' + esc(d[0]) + '</option>'; }).join('') + '</select></label>';
    }
    if (cfg.measures.length) {
      html += '<div class="abri-head">' + esc(T.departments) + '</div>' + cfg.measures.map(function (m, i) {
        return '<label class="abri-row"><input type="radio" name="abri-measure" value="' + esc(m.key) + '"' + (i ? '' : ' checked') + '> ' +
          esc(m.name) + '</label>';
      }).join('');
    }
    var toggles = [['centres', T.centres_layer, centreLayer], ['roads', T.roads, roads], ['names', T.names, names]];
    if (cfg.trips.length) { toggles.unshift(['trips', T.trips, tripLayer]); }
    html += '<div class="abri-head">' + esc(T.layers) + '</div>' + toggles.map(function (g) {
      return '<label class="abri-row"><input type="checkbox" checked data-layer="' + g[0] + '"> ' + esc(g[1]) + '</label>';
    }).join('') + '</div>';
    var panel = control('topright', 'abri-panel', html).addTo(map).getContainer();
    var fold = panel.querySelector('.abri-fold'), sheetBox = panel.querySelector('.abri-sheet-box');
    sheetBox.addEventListener('click', function (e) { if (e.target.closest('.abri-close')) { L.DomEvent.stop(e); deselect(); } });
    function setFolded(f) { panel.classList.toggle('abri-folded', f); fold.setAttribute('aria-expanded', String(!f)); }
    fold.addEventListener('click', function () { setFolded(!panel.classList.contains('abri-folded')); });
    setFolded(box.clientWidth < cfg.foldBelow);
    toggles.forEach(function (g) {
      panel.querySelector('[data-layer="' + g[0] + '"]').addEventListener('change', function (e) {
        if (e.target.checked) { map.addLayer(g[2]); } else { map.removeLayer(g[2]); }
      });
    });
    panel.querySelectorAll('input[name="abri-measure"]').forEach(function (r) {
      r.addEventListener('change', function () { setMeasure(r.value); });
    });
    panel.querySelectorAll('.abri-changed-coach').forEach(function (b) {
      b.addEventListener('click', function (e) {
        L.DomEvent.stop(e);
        var l = trips.filter(function (t) { return t.abri.coach === b.getAttribute('data-coach'); })[0];
        if (!l) { return; }
        if (box.clientWidth < cfg.foldBelow) { setFolded(true); }
        showTrip(l);
      });
    });
    var daySelect = panel.querySelector('.abri-day');
    if (daySelect) { daySelect.addEventListener('change', function () { setDay(daySelect.value); }); }

    /* legends: the measure shown, centre colours, trip days */
    var legendBox = control('bottomleft', 'abri-legend', '<button type="button" class="abri-fold abri-legend-fold">' + esc(T.legend) +
      '</button><div class="abri-body"></div>').addTo(map).getContainer(), legend = legendBox.querySelector('.abri-body');
    legendBox.querySelector('.abri-fold').addEventListener('click', function () { legendBox.classList.toggle('abri-folded'); });
    legendBox.classList.toggle('abri-folded', box.clientWidth < cfg.foldBelow);
    function drawLegend() {
      var parts = [];
      cfg.measures.forEach(function (m) { if (m.key === state.measure) { parts.push(legendHtml(m.legend[0], m.legend[1], 'box')); } });
      if (cfg.centres.legend) { parts.push(legendHtml(cfg.centres.legend[0], cfg.centres.legend[1], 'dot')); }
      if (cfg.days.length) {
        parts.push(legendHtml(T.trip_days, cfg.days.filter(function (d) { return !state.day || d[0] === state.day; })
          .map(function (d) { return [d[1], d[0] + ' (' + d[2] + ')']; }), 'line'));
      }
      if (cfg.changes && cfg.changes.kinds.length) {
        parts.push(legendHtml(cfg.changes.title, cfg.changes.kinds.map(function (k) {
          return [k[0] === 'cancelled' ? CANCELLED : '#222', k[1] + ' (' + k[2].length + ')'];
        }), 'dash'));
      }
      legend.innerHTML = parts.map(function (p) { return '<div class="abri-legend-part">' + p + '</div>'; }).join('');
      legendBox.setAttribute('data-measure', state.measure || '');
    }
    function setMeasure(key) { state.measure = key; depts.setStyle(deptStyle); drawLegend(); }
    function setDay(day) {
      state.day = day;
      map.closePopup();
      deselect();
      showTrips();
      showCentres();
      drawLegend();
    }
    drawLegend();

    /* search: centres (name, id, commune), departments (name, code), coaches */
    var entries = [];
    centres.forEach(function (m) {
      var c = m.abri;
      entries.push({text: c.name + ' (' + c.id + ')', exact: [c.name, c.id], rank: 2, sub: c.commune + ', ' + c.dept, go: function () { openCentre(m); }});
      if (c.commune) { entries.push({text: c.commune, exact: [c.commune], rank: 1, sub: c.name, go: function () { openCentre(m); }}); }
    });
    depts.eachLayer(function (l) {
      var p = l.feature.properties;
      entries.push({text: p.nom + ' (' + p.code + ')', exact: [p.nom, p.code], rank: 0, sub: T.department, go: function () {
        map.fitBounds(l.getBounds()); l.openPopup(l.getBounds().getCenter()); }});
    });
    trips.forEach(function (l) {
      entries.push({text: l.abri.coach, exact: [l.abri.coach], rank: 3, sub: l.abri.day, go: function () { showTrip(l); }});
    });
    function showTrip(l) {  /* a trip found by name: all days if its day is hidden, in view, its sheet open */
      if (state.day && state.day !== l.abri.day) { daySelect.value = ''; setDay(''); }
      if (!map.hasLayer(tripLayer)) { map.addLayer(tripLayer); }
      map.fitBounds(l.getBounds(), {paddingTopLeft: [10, 60], animate: false}); selectTrip(l);  /* then the sheet pans into view */
    }
    function openCentre(m) {
      if (state.day && m.abri.days.indexOf(state.day) < 0) { daySelect.value = ''; setDay(''); }
      if (!map.hasLayer(centreLayer)) { map.addLayer(centreLayer); }
      if (centreLayer.zoomToShowLayer) { centreLayer.zoomToShowLayer(m, function () { m.openPopup(); }); } else {
        map.setView(m.getLatLng(), Math.max(map.getZoom(), 9)); m.openPopup(); }
    }
    var input = panel.querySelector('.abri-search'), results = panel.querySelector('.abri-results');
    var found = [];
    input.addEventListener('input', function () {
      found = search(entries, input.value, 8);
      results.innerHTML = found.map(function (e, i) {
        return '<button type="button" class="abri-hit" data-i="' + i + '">' + esc(e.text) + ' <small>' + esc(e.sub) + '</small></button>';
      }).join('') || (input.value ? '<div class="abri-none">' + esc(T.no_match) + '</div>' : '');
    });
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter' && found.length) { pick(0); } });
    results.addEventListener('click', function (e) {
      var b = e.target.closest('.abri-hit');
      L.DomEvent.stop(e);  /* the button is removed below: Leaflet would no longer see it is inside the panel */
      if (b) { pick(+b.getAttribute('data-i')); }
    });
    function pick(i) {
      var e = found[i];
      results.innerHTML = '';
      input.value = e.text;
      if (box.clientWidth < cfg.foldBelow) { setFolded(true); }
      e.go();
    }

    /* origin, drawn last so that it sits above the trips */
    if (cfg.origin) {
      L.marker([cfg.origin.lat, cfg.origin.lon], {zIndexOffset: 1000, icon: L.divIcon({className: 'abri-origin', iconSize: [22, 22],
        html: '<div></div><span>' + esc(cfg.origin.name) + '</span>'})}).bindTooltip(esc(T.origin) + ': ' + esc(cfg.origin.name)).addTo(map);
    }

    /* fit France clear of the title and panel: below them, or between them, whichever shows it larger; again for print */
    var bounds = L.latLngBounds(cfg.bounds);
    function fit() {
      var title = titleBox, printing = document.documentElement.classList.contains('abri-printing');
      var side = printing ? 8 : panel.offsetWidth + 16;
      var below = {paddingTopLeft: [8, title.offsetTop + title.offsetHeight + 8], paddingBottomRight: [8, 30]};
      var between = {paddingTopLeft: [title.offsetLeft + title.offsetWidth + 8, 8], paddingBottomRight: [side, 30]};
      function zoom(o) { return map.getBoundsZoom(bounds, false, L.point(o.paddingTopLeft).add(o.paddingBottomRight)); }
      map.fitBounds(bounds, L.extend({animate: false}, zoom(between) > zoom(below) ? between : below));
      zoomClasses();
    }
    fit();
    /* printing: France fills the page (fractional zoom, no room kept for the hidden panel). The browser
       calls beforeprint with the screen's layout: the class gives the page the printed size (abri.css) first,
       so that the map is fitted to the paper, not to the screen (cut in the east on a laptop, tiny from a phone) */
    var snap = map.options.zoomSnap;
    function printing(on) {
      document.documentElement.classList.toggle('abri-printing', on);
      map.options.zoomSnap = on ? 0.1 : snap;
      map.invalidateSize({pan: false});
      fit();
      box.classList.toggle('abri-show-depts', on || map.getZoom() >= cfg.zooms.depts);  /* a printed map names them */
    }
    window.addEventListener('beforeprint', function () { printing(true); });
    window.addEventListener('afterprint', function () { printing(false); });
    return {map: map, setDay: setDay, setMeasure: setMeasure, selectTrip: selectTrip, trips: trips, centres: centres, depts: depts};
  }

  return {esc: esc, norm: norm, bare: bare, search: search, init: init};
})();
