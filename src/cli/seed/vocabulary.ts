/** A planted topic: the words its boards and pins are made of, and the colours of its images. */
export interface Topic {
  name: string;
  boardNames: readonly string[];
  nouns: readonly string[];
  adjectives: readonly string[];
  colors: readonly string[];
}

/** Topics of the demo world. Words are distinct per topic so relevance can be measured later. */
export const TOPICS: readonly Topic[] = [
  {
    name: 'recipes',
    boardNames: ['Weeknight dinners', 'Baking projects', 'Summer salads', 'Comfort food'],
    nouns: [
      'pasta',
      'sourdough',
      'salad',
      'curry',
      'risotto',
      'tart',
      'soup',
      'dumplings',
      'tacos',
      'pancakes',
    ],
    adjectives: ['easy', 'spicy', 'creamy', 'crispy', 'vegan', 'homemade', 'one-pot', 'rustic'],
    colors: ['#c0392b', '#e67e22', '#f1c40f', '#d35400'],
  },
  {
    name: 'travel',
    boardNames: ['Places to go', 'Road trips', 'Island escapes', 'City breaks'],
    nouns: [
      'beach',
      'mountain',
      'lighthouse',
      'harbour',
      'canyon',
      'old town',
      'waterfall',
      'desert',
      'glacier',
    ],
    adjectives: ['hidden', 'sunny', 'remote', 'coastal', 'alpine', 'historic', 'wild'],
    colors: ['#2980b9', '#1abc9c', '#3498db', '#16a085'],
  },
  {
    name: 'home',
    boardNames: ['Living room ideas', 'Small spaces', 'Kitchen makeover', 'Cozy bedroom'],
    nouns: ['sofa', 'bookshelf', 'rug', 'lamp', 'plant corner', 'reading nook', 'gallery wall', 'bench'],
    adjectives: ['scandinavian', 'minimal', 'cozy', 'boho', 'mid-century', 'bright', 'earthy'],
    colors: ['#7f8c8d', '#bdc3c7', '#a1887f', '#95a5a6'],
  },
  {
    name: 'fashion',
    boardNames: ['Outfit ideas', 'Street style', 'Capsule wardrobe', 'Shoes'],
    nouns: ['jacket', 'sneakers', 'scarf', 'dress', 'boots', 'trench coat', 'denim', 'handbag'],
    adjectives: ['vintage', 'oversized', 'tailored', 'casual', 'monochrome', 'layered', 'classic'],
    colors: ['#8e44ad', '#c2185b', '#ad1457', '#6a1b9a'],
  },
  {
    name: 'garden',
    boardNames: ['Garden planning', 'Balcony plants', 'Flower beds', 'Vegetable patch'],
    nouns: ['tomatoes', 'roses', 'herbs', 'succulents', 'raised bed', 'greenhouse', 'lavender', 'ferns'],
    adjectives: ['perennial', 'shady', 'drought-tolerant', 'organic', 'climbing', 'fragrant'],
    colors: ['#27ae60', '#2ecc71', '#558b2f', '#33691e'],
  },
  {
    name: 'fitness',
    boardNames: ['Workouts', 'Yoga flow', 'Running plans', 'Stretching'],
    nouns: ['squats', 'plank', 'intervals', 'yoga poses', 'kettlebell', 'marathon', 'mobility', 'core'],
    adjectives: ['beginner', 'quick', 'full-body', 'low-impact', 'intense', 'morning'],
    colors: ['#e74c3c', '#ff7043', '#f4511e', '#ef5350'],
  },
  {
    name: 'art',
    boardNames: ['Drawing practice', 'Watercolour', 'Illustration', 'Street art'],
    nouns: ['sketch', 'watercolour', 'portrait', 'mural', 'linocut', 'still life', 'ink drawing', 'palette'],
    adjectives: ['abstract', 'loose', 'botanical', 'bold', 'pastel', 'geometric'],
    colors: ['#5c6bc0', '#26a69a', '#ffca28', '#ab47bc'],
  },
  {
    name: 'diy',
    boardNames: ['Weekend projects', 'Woodworking', 'Upcycling', 'Crafts with kids'],
    nouns: ['shelf', 'planter', 'candle', 'macrame', 'side table', 'birdhouse', 'wreath', 'quilt'],
    adjectives: ['simple', 'upcycled', 'handmade', 'budget', 'wooden', 'colourful'],
    colors: ['#8d6e63', '#ffb300', '#6d4c41', '#fb8c00'],
  },
];

export const FIRST_NAMES = [
  'ada',
  'ben',
  'cleo',
  'dev',
  'eli',
  'fay',
  'gus',
  'hana',
  'ivo',
  'jun',
  'kai',
  'lena',
  'milo',
  'nia',
  'omar',
  'pia',
  'quin',
  'rosa',
  'sami',
  'tess',
  'uma',
  'vic',
  'wren',
  'xia',
  'yuri',
  'zoe',
];
