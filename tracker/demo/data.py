"""The demo company, as literal data in English and Russian.

"Harvest & Co." makes ready meals in its own production kitchen and sells food
through its stores, to wholesale partners and online. Twenty departments in four
divisions supply each other under 52 agreements; three external customer
segments end the chains.

The ratings tell a story a COO recognises (see :mod:`tracker.demo.builder` for how
they are generated):

* Warehouse → Logistics ("order picking and dispatch readiness") declines three
  quarters in a row and is the top weak link of 2026-Q4: trucks wait at the dock.
* IT was poor in Q1–Q2 (outages, slow tickets) and recovered after a new service
  desk and on-call rota in July.
* Store sales rarely rate their suppliers: the lowest response rate, and most of
  their suppliers are blind spots.
* HR and Finance supply each other (a cycle) and are unhappy with each other.
* Legal receives services but supplies none under an agreement: cut off from the
  customer.
* Logistics is a single point of failure: warehouse, production kitchen,
  procurement, demand planning and quality reach customers only through it.

Every text is a pair ``(english, russian)``; codes are Latin in both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

Text = tuple[str, str]

COMPANY: Text = ("Harvest & Co.", "«Урожай и Ко»")
PASSWORD = "demo"
EMAIL_DOMAIN = "demo.local"

# (label, start, end, status, opened_at, closed_at) — fixed dates, never today's.
PERIODS = [
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "closed", (2026, 3, 16), (2026, 4, 10)),
    ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "closed", (2026, 6, 15), (2026, 7, 10)),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "closed", (2026, 9, 15), (2026, 10, 9)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "open", (2026, 12, 14), None),
]
QUARTERS = [p[0] for p in PERIODS]
CURRENT = QUARTERS[-1]


def moment(ymd: tuple[int, int, int] | None) -> datetime | None:
    """A fixed 09:00 UTC timestamp on the given day (None stays None)."""
    return None if ymd is None else datetime(*ymd, 9, 0, tzinfo=timezone.utc)


# code, name, head's name
DIVISIONS: list[tuple[str, Text, Text]] = [
    ("OPS", ("Operations division", "Операционный дивизион"), ("Andrei Morozov", "Андрей Морозов")),
    ("COM", ("Commercial division", "Коммерческий дивизион"), ("Natalia Belova", "Наталья Белова")),
    ("CORP", ("Corporate services division", "Дивизион корпоративных функций"), ("Viktor Zaitsev", "Виктор Зайцев")),
    ("TECH", ("Technology division", "Технологический дивизион"), ("Oleg Fedorov", "Олег Фёдоров")),
]

# code, division, name, head's name
DEPARTMENTS: list[tuple[str, str, Text, Text]] = [
    ("PROC", "OPS", ("Procurement", "Закупки"), ("Irina Petrova", "Ирина Петрова")),
    ("PLAN", "OPS", ("Demand planning", "Планирование спроса"), ("Kirill Novikov", "Кирилл Новиков")),
    ("WH", "OPS", ("Warehouse", "Склад"), ("Roman Kozlov", "Роман Козлов")),
    ("LOG", "OPS", ("Logistics", "Логистика"), ("Svetlana Popova", "Светлана Попова")),
    ("PROD", "OPS", ("Production kitchen", "Фабрика-кухня"), ("Mikhail Sorokin", "Михаил Сорокин")),
    ("QA", "OPS", ("Quality assurance", "Контроль качества"), ("Tatiana Vasilieva", "Татьяна Васильева")),
    ("FAC", "OPS", ("Facilities", "Административно-хозяйственная служба"), ("Igor Pavlov", "Игорь Павлов")),
    ("SALES", "COM", ("Store sales", "Продажи в магазинах"), ("Yulia Semenova", "Юлия Семёнова")),
    ("KAM", "COM", ("Wholesale", "Оптовые продажи"), ("Alexei Golubev", "Алексей Голубев")),
    ("ECOM", "COM", ("E-commerce", "Интернет-магазин"), ("Daria Vinogradova", "Дарья Виноградова")),
    ("CS", "COM", ("Customer service", "Клиентский сервис"), ("Nikolai Bogdanov", "Николай Богданов")),
    ("MKT", "COM", ("Marketing", "Маркетинг"), ("Ksenia Vorobieva", "Ксения Воробьёва")),
    ("HR", "CORP", ("Human resources", "Управление персоналом"), ("Galina Frolova", "Галина Фролова")),
    ("FIN", "CORP", ("Finance", "Финансы"), ("Boris Alexandrov", "Борис Александров")),
    ("ACC", "CORP", ("Accounting", "Бухгалтерия"), ("Lyudmila Makarova", "Людмила Макарова")),
    ("LEGAL", "CORP", ("Legal", "Юридический отдел"), ("Artem Zakharov", "Артём Захаров")),
    ("TRN", "CORP", ("Training centre", "Учебный центр"), ("Vera Nikitina", "Вера Никитина")),
    ("IT", "TECH", ("IT", "Информационные технологии"), ("Maxim Egorov", "Максим Егоров")),
    ("DATA", "TECH", ("Business analytics", "Бизнес-аналитика"), ("Anton Stepanov", "Антон Степанов")),
    ("SEC", "TECH", ("Information security", "Информационная безопасность"), ("Denis Kovalev", "Денис Ковалёв")),
]

EXTERNALS: list[tuple[str, Text]] = [
    ("RET", ("Retail clients", "Розничные покупатели")),
    ("WHS", ("Wholesale partners", "Оптовые партнёры")),
    ("ONL", ("Online shoppers", "Покупатели интернет-магазина")),
]

# role, e-mail local part, name
STAFF: list[tuple[str, str, Text]] = [
    ("admin", "admin", ("Customer-experience office", "Офис клиентского опыта")),
    ("coo", "coo", ("Elena Romanova, COO", "Елена Романова, операционный директор")),
    ("hr", "hr", ("Olga Mironova, HR business partner", "Ольга Миронова, HR бизнес-партнёр")),
]

# department code, name: colleagues the heads added as respondents
MEMBERS: list[tuple[str, Text]] = [
    ("WH", ("Sergey Volkov", "Сергей Волков")),
    ("LOG", ("Dmitry Orlov", "Дмитрий Орлов")),
    ("PROD", ("Elena Kuznetsova", "Елена Кузнецова")),
    ("ECOM", ("Maria Lebedeva", "Мария Лебедева")),
    ("CS", ("Pavel Sokolov", "Павел Соколов")),
]

# Quarters indexed 0..3; a level is the mean 1–5 score the respondent tends to give.
Levels = tuple[float | None, float | None, float | None, float | None]


@dataclass(frozen=True)
class ContractSpec:
    """One agreement of the demo and how its customer tends to rate it each quarter."""

    supplier: str
    customer: str
    service: Text
    standard: Text
    criticality: int
    levels: Levels
    price: int | None = None
    target: float | None = None
    floor: float | None = None
    start: date | None = None
    end: date | None = None
    low: list[Text] = field(default_factory=list)   # comments for low ratings, before the generic ones
    high: list[Text] = field(default_factory=list)  # comments for good ratings

    @property
    def key(self) -> tuple[str, str]:
        return (self.supplier, self.customer)


RECRUITMENT: Text = ("Recruitment", "Подбор персонала")
IT_SLOW: list[Text] = [
    ("Tickets wait 3–5 days for a first answer; outages are not announced.",
     "Заявки ждут первого ответа 3–5 дней; о сбоях никто не предупреждает."),
    ("The system was down twice this quarter and nobody told us when it would be back.",
     "Система дважды падала за квартал, и никто не сообщил, когда её восстановят."),
]
IT_BETTER: list[Text] = [
    ("Much faster since the new service desk and on-call rota started in July.",
     "Гораздо быстрее с тех пор, как в июле заработали новая служба поддержки и дежурства."),
    ("Stable all quarter; incidents fixed within hours.", "Стабильно весь квартал; инциденты решаются за часы."),
]
HR_FIN: list[Text] = [
    ("Candidates for analyst roles arrive late; two vacancies have been open since spring.",
     "Кандидаты на позиции аналитиков приходят поздно; две вакансии открыты с весны."),
]
FIN_HR: list[Text] = [
    ("Hiring approvals take weeks, and the budget figures differ from the HR system.",
     "Согласование найма занимает недели, а цифры бюджета расходятся с кадровой системой."),
]

CONTRACTS: list[ContractSpec] = [
    ContractSpec("PROC", "WH", ("Inbound supply of goods", "Поставка товаров на склад"),
                 ("Purchase orders placed within 2 working days of request; 98% of deliveries on time and in full.",
                  "Заказ поставщику размещается в течение 2 рабочих дней после заявки; 98% поставок вовремя "
                  "и в полном объёме."), 3, (4.2, 4.1, 4.2, 4.2)),
    ContractSpec("PROC", "PROD", ("Raw material purchasing", "Закупка сырья"),
                 ("Ingredients ordered by 14:00 arrive the next day; key ingredients out of stock on fewer than 1% "
                  "of production days.",
                  "Сырьё, заказанное до 14:00, поступает на следующий день; дефицит ключевых ингредиентов — менее "
                  "1% производственных дней."), 3, (4.0, 4.1, 3.9, 4.1)),
    ContractSpec("PROC", "FAC", ("Purchasing of maintenance supplies", "Закупка материалов для ремонта"),
                 ("Standard items delivered within 5 working days for 95% of requests.",
                  "Стандартные позиции поставляются за 5 рабочих дней по 95% заявок."), 1, (3.8, 3.9, None, None),
                 end=date(2026, 6, 30)),
    ContractSpec("PLAN", "PROC", ("Weekly demand forecast", "Еженедельный прогноз спроса"),
                 ("Forecast by SKU published every Monday by 10:00; forecast accuracy at least 85%.",
                  "Прогноз по SKU публикуется каждый понедельник до 10:00; точность прогноза не ниже 85%."),
                 2, (3.9, 4.0, 4.0, 4.1)),
    ContractSpec("PLAN", "WH", ("Replenishment plan", "План пополнения запасов"),
                 ("Daily replenishment plan issued by 07:00; 5–10 days of stock cover for 95% of SKUs.",
                  "Ежедневный план пополнения выпускается до 07:00; запас на 5–10 дней по 95% SKU."),
                 2, (4.0, 3.9, 4.0, 4.0)),
    ContractSpec("PLAN", "PROD", ("Production plan", "План производства"),
                 ("Weekly production plan frozen 3 days ahead; no more than 2 changes a week.",
                  "Недельный план производства фиксируется за 3 дня; не более 2 изменений в неделю."),
                 3, (4.1, 4.0, 4.2, 4.1)),
    ContractSpec("WH", "LOG", ("Order picking and dispatch readiness", "Комплектация и готовность к отгрузке"),
                 ("Orders picked and staged at the dock 30 minutes before the truck slot; 99% picking accuracy; "
                  "98% of loads ready on time.",
                  "Заказы скомплектованы и выставлены у ворот за 30 минут до слота машины; точность комплектации "
                  "99%; 98% отгрузок готовы вовремя."), 3, (None, None, None, None), price=30000),
    ContractSpec("WH", "PROD", ("Ingredient issue from stock", "Выдача сырья со склада"),
                 ("Ingredients issued to the kitchen within 1 hour of request; first-expired-first-out respected.",
                  "Сырьё выдаётся на кухню в течение 1 часа после заявки; соблюдается принцип FEFO."),
                 3, (4.1, 4.1, 4.0, 4.0)),
    ContractSpec("PROD", "WH", ("Finished goods handover", "Передача готовой продукции на склад"),
                 ("Finished goods handed over by 22:00 with labels and batch documents; 99% of batches complete.",
                  "Готовая продукция передаётся на склад до 22:00 с маркировкой и документами партии; 99% партий "
                  "полные."), 3, (4.2, 4.2, 4.3, 4.2)),
    ContractSpec("LOG", "SALES", ("Store replenishment deliveries", "Доставка товаров в магазины"),
                 ("Deliveries arrive in the agreed 2-hour window; 97% on time; shortages under 0.5% of lines.",
                  "Доставка в согласованное двухчасовое окно; 97% вовремя; недовложения менее 0,5% строк."),
                 3, (None, None, None, None), price=120000),
    ContractSpec("LOG", "ONL", ("Home delivery", "Доставка на дом"),
                 ("Online orders delivered on the promised day; 95% on time; damaged parcels under 0.5%.",
                  "Заказы доставляются в обещанный день; 95% вовремя; повреждённых посылок менее 0,5%."),
                 3, (4.2, 4.2, 4.0, 3.6), target=80,
                 low=[("Deliveries late in the run-up to the holidays; couriers did not call ahead.",
                       "Перед праздниками доставки опаздывали; курьеры не звонили заранее.")]),
    ContractSpec("LOG", "WHS", ("Wholesale shipments", "Отгрузки оптовым клиентам"),
                 ("Full truckloads shipped on the agreed date; 98% on time and in full.",
                  "Полные машины отгружаются в согласованную дату; 98% вовремя и в полном объёме."),
                 3, (4.1, 4.0, 3.9, None)),
    ContractSpec("SALES", "RET", ("In-store sales and service", "Продажи и обслуживание в магазинах"),
                 ("Checkout queue under 5 minutes at peak; 97% shelf availability; mystery-shopper score at "
                  "least 85%.",
                  "Очередь на кассе не более 5 минут в час пик; доступность товара на полке 97%; оценка тайного "
                  "покупателя не ниже 85%."), 3, (4.1, 4.0, 3.9, 3.8),
                 low=[("Empty shelves in the morning, especially fresh meals.",
                       "Пустые полки по утрам, особенно готовая еда.")]),
    ContractSpec("KAM", "WHS", ("Wholesale account management", "Сопровождение оптовых клиентов"),
                 ("Quotes within 1 working day; account review every quarter; claims settled within 10 days.",
                  "Коммерческое предложение за 1 рабочий день; обзор с клиентом раз в квартал; претензии "
                  "урегулируются за 10 дней."), 3, (4.2, 4.3, 4.2, None)),
    ContractSpec("ECOM", "ONL", ("Online store operation", "Работа интернет-магазина"),
                 ("Site available 99.9%; orders confirmed within 15 minutes; product content correct for 98% of "
                  "items.",
                  "Доступность сайта 99,9%; подтверждение заказа за 15 минут; корректные карточки для 98% "
                  "товаров."), 3, (3.6, 3.8, 4.2, 4.3),
                 low=[("The site was slow at checkout during sales; some orders were lost.",
                       "Во время распродаж сайт тормозил на оформлении; часть заказов потерялась.")]),
    ContractSpec("CS", "RET", ("Complaints and returns handling", "Обработка жалоб и возвратов"),
                 ("Complaints answered within 24 hours; refunds within 3 days; 90% resolved at first contact.",
                  "Ответ на жалобу за 24 часа; возврат денег за 3 дня; 90% вопросов решаются с первого обращения."),
                 2, (4.0, 4.1, 4.1, 4.2)),
    ContractSpec("CS", "ONL", ("Online customer support", "Поддержка покупателей онлайн"),
                 ("Chats answered within 2 minutes, e-mails within 24 hours; at least 70% resolved at first "
                  "contact.",
                  "Ответ в чате за 2 минуты, на письмо — за 24 часа; не менее 70% вопросов решаются с первого "
                  "обращения."), 2, (3.9, 4.0, 4.1, 4.1)),
    ContractSpec("CS", "QA", ("Customer complaint reports", "Отчёты о жалобах покупателей"),
                 ("Weekly complaint summary by product and batch every Monday; food-safety complaints passed on "
                  "within 2 hours.",
                  "Еженедельная сводка жалоб по товарам и партиям по понедельникам; жалобы на безопасность "
                  "продукции передаются за 2 часа."), 2, (4.1, 4.0, 4.1, 4.2)),
    ContractSpec("QA", "PROD", ("Batch quality inspection", "Контроль качества партий"),
                 ("Every batch released within 2 hours of the end of production; lab results within 24 hours.",
                  "Каждая партия выпускается в течение 2 часов после окончания производства; результаты "
                  "лаборатории за 24 часа."), 3, (4.5, 4.5, 4.6, 4.5), target=85, floor=60),
    ContractSpec("QA", "PROC", ("Supplier audits", "Аудит поставщиков"),
                 ("100% of new suppliers audited before the first order; each key supplier audited every 12 months.",
                  "100% новых поставщиков проходят аудит до первого заказа; каждый ключевой — раз в 12 месяцев."), 2,
                 (4.0, 3.9, 4.1, 4.0)),
    ContractSpec("FAC", "WH", ("Warehouse equipment maintenance", "Обслуживание складского оборудования"),
                 ("Forklift breakdowns answered within 4 hours; dock doors repaired within 1 working day; "
                  "planned maintenance 100% on schedule.",
                  "Выезд на поломку погрузчика за 4 часа; ремонт ворот за 1 рабочий день; плановое ТО 100% по "
                  "графику."), 2, (3.9, 3.8, 3.9, 3.9), price=8000),
    ContractSpec("FAC", "PROD", ("Kitchen equipment maintenance", "Обслуживание кухонного оборудования"),
                 ("Critical equipment failures answered within 2 hours; ovens and chillers available 98% of the "
                  "time.",
                  "Реакция на аварию критичного оборудования за 2 часа; печи и холодильники доступны 98% "
                  "времени."), 3, (4.1, 4.2, 4.1, 4.2), price=15000),
    ContractSpec("FAC", "SALES", ("Store maintenance", "Техническое обслуживание магазинов"),
                 ("Urgent store repairs within 24 hours; refrigeration faults within 4 hours.",
                  "Срочный ремонт в магазине за 24 часа; неисправности холодильного оборудования — за 4 часа."),
                 2, (None, None, None, None)),
    ContractSpec("MKT", "SALES", ("In-store promotions", "Промоакции в магазинах"),
                 ("Promotion materials in stores 3 days before the start; shelf price tags match the till 100%.",
                  "Промоматериалы в магазинах за 3 дня до старта; ценники совпадают с кассой на 100%."),
                 2, (None, None, 3.7, None),
                 low=[("Price tags for the autumn promotion arrived on the first day of the promotion.",
                       "Ценники на осеннюю акцию пришли в первый день акции.")]),
    ContractSpec("MKT", "ECOM", ("Online campaigns", "Онлайн-кампании"),
                 ("Campaign brief agreed 2 weeks ahead; banners and e-mails ready 5 working days before launch.",
                  "Бриф кампании согласуется за 2 недели; баннеры и рассылки готовы за 5 рабочих дней до запуска."),
                 2, (3.9, 4.0, 4.1, 4.0)),
    ContractSpec("MKT", "KAM", ("Wholesale marketing materials", "Маркетинговые материалы для оптовых клиентов"),
                 ("Catalogue updated every month; trade-show materials ready 3 weeks ahead.",
                  "Каталог обновляется ежемесячно; материалы для выставок готовы за 3 недели."), 1,
                 (4.0, 4.1, 4.0, 4.0)),
    ContractSpec("IT", "WH", ("Warehouse system (WMS) support", "Поддержка складской системы (WMS)"),
                 ("Priority-1 incidents resolved within 4 hours; WMS available 99.5% of working hours.",
                  "Инциденты приоритета 1 решаются за 4 часа; WMS доступна 99,5% рабочего времени."),
                 3, (None, None, None, None), price=12000),
    ContractSpec("IT", "ECOM", ("Online store platform", "Платформа интернет-магазина"),
                 ("Platform available 99.9%; weekly releases with no priority-1 incident after a release.",
                  "Доступность платформы 99,9%; еженедельные релизы без инцидентов приоритета 1."),
                 3, (2.6, 2.9, 4.3, 4.6), price=25000, target=85, low=IT_SLOW, high=IT_BETTER),
    ContractSpec("IT", "SALES", ("Point-of-sale support", "Поддержка кассовых систем"),
                 ("Till failures fixed within 2 hours during opening hours; 99% till availability.",
                  "Неисправность кассы устраняется за 2 часа в часы работы; доступность касс 99%."),
                 2, (2.7, None, None, None), price=10000, low=IT_SLOW, high=IT_BETTER),
    ContractSpec("IT", "CS", ("CRM and telephony support", "Поддержка CRM и телефонии"),
                 ("Telephony outages fixed within 1 hour; CRM requests within 3 working days.",
                  "Сбой телефонии устраняется за 1 час; запросы по CRM — за 3 рабочих дня."),
                 2, (2.8, 3.0, 4.1, 4.3), low=IT_SLOW, high=IT_BETTER),
    ContractSpec("IT", "LOG", ("Route planning system", "Система планирования маршрутов"),
                 ("Routes calculated by 05:00 every day; incidents resolved within 4 hours.",
                  "Маршруты рассчитываются ежедневно до 05:00; инциденты решаются за 4 часа."),
                 2, (2.8, 2.9, 4.1, 4.3), low=IT_SLOW, high=IT_BETTER),
    ContractSpec("IT", "HR", ("HR system support", "Поддержка кадровой системы"),
                 ("Access and data requests handled within 2 working days.",
                  "Запросы на доступ и данные выполняются за 2 рабочих дня."), 1, (3.0, 3.1, 4.0, 4.2),
                 low=IT_SLOW, high=IT_BETTER),
    ContractSpec("IT", "LEGAL", ("Document management support", "Поддержка системы документооборота"),
                 ("Document system available 99%; requests handled within 2 working days.",
                  "Система документооборота доступна 99%; запросы выполняются за 2 рабочих дня."), 1,
                 (3.1, 3.2, 4.0, 4.1), low=IT_SLOW, high=IT_BETTER),
    ContractSpec("SEC", "IT", ("Access management", "Управление доступом"),
                 ("Access granted within 1 working day of approval; leavers' access removed the same day.",
                  "Доступ предоставляется за 1 рабочий день после согласования; доступ уволенных отключается в "
                  "тот же день."), 2, (4.0, 4.1, 4.0, 4.1)),
    ContractSpec("SEC", "ECOM", ("Payment security review", "Проверка безопасности платежей"),
                 ("Every release touching payments reviewed within 2 working days; PCI DSS scan every quarter.",
                  "Каждый релиз, затрагивающий платежи, проверяется за 2 рабочих дня; сканирование PCI DSS "
                  "ежеквартально."), 2, (None, None, 4.0, 4.1), start=date(2026, 7, 1)),
    ContractSpec("DATA", "PLAN", ("Sales data for forecasting", "Данные продаж для прогнозирования"),
                 ("Daily sales data loaded by 06:00; data errors in fewer than 0.1% of rows.",
                  "Ежедневные данные продаж загружаются до 06:00; ошибки менее чем в 0,1% строк."), 2,
                 (4.1, 4.2, 4.1, 4.2)),
    ContractSpec("DATA", "MKT", ("Campaign analytics", "Аналитика кампаний"),
                 ("Campaign results within 5 working days of the end of a campaign.",
                  "Результаты кампании через 5 рабочих дней после её окончания."), 1, (4.0, 4.0, 4.1, 4.0)),
    ContractSpec("DATA", "SALES", ("Store performance reports", "Отчёты по эффективности магазинов"),
                 ("Weekly store dashboard published every Monday by 09:00.",
                  "Еженедельный дашборд по магазинам публикуется по понедельникам до 09:00."), 1,
                 (None, None, None, None)),
    ContractSpec("HR", "WH", ("Seasonal staff recruitment", "Подбор сезонного персонала"),
                 ("Vacancies filled within 10 working days; 95% of seasonal shifts staffed.",
                  "Вакансии закрываются за 10 рабочих дней; 95% сезонных смен укомплектованы."), 2,
                 (4.0, 3.8, 3.6, 3.7), price=5000,
                 low=[("Not enough pickers for the peak; shifts ran with a third of the staff missing.",
                       "Не хватает комплектовщиков на пик; смены работали без трети персонала.")]),
    ContractSpec("HR", "FIN", RECRUITMENT,
                 ("Shortlist of 3 candidates within 10 working days; offer within 5 days of the final interview.",
                  "Три кандидата в шорт-листе за 10 рабочих дней; оффер в течение 5 дней после финального "
                  "интервью."), 1, (3.4, 3.3, 3.4, 3.3), low=HR_FIN),
    ContractSpec("HR", "SALES", RECRUITMENT,
                 ("Store vacancies filled within 15 working days.", "Вакансии магазинов закрываются за 15 рабочих "
                  "дней."), 2, (None, None, None, None)),
    ContractSpec("HR", "TRN", RECRUITMENT,
                 ("Trainers hired within 20 working days of request.", "Тренеры нанимаются за 20 рабочих дней после "
                  "заявки."), 1, (4.0, 3.9, 4.0, 4.1)),
    ContractSpec("FIN", "HR", ("Headcount budget control", "Контроль бюджета численности"),
                 ("Monthly headcount report by the 5th working day; hiring approvals within 3 working days.",
                  "Ежемесячный отчёт по численности до 5-го рабочего дня; согласование найма за 3 рабочих дня."),
                 1, (3.4, 3.3, 3.3, 3.3), low=FIN_HR),
    ContractSpec("FIN", "PROC", ("Supplier payments", "Оплата поставщикам"),
                 ("Supplier invoices paid by the due date; 99% on time.",
                  "Счета поставщиков оплачиваются в срок; 99% вовремя."), 2, (4.0, 4.1, 4.0, 4.1)),
    ContractSpec("FIN", "KAM", ("Credit checks of wholesale customers", "Проверка кредитоспособности оптовых клиентов"),
                 ("Credit decision within 2 working days of request.",
                  "Решение по кредитному лимиту за 2 рабочих дня."), 2, (3.9, 4.0, 4.0, 4.1)),
    ContractSpec("ACC", "HR", ("Payroll accounting", "Расчёт заработной платы"),
                 ("Payroll calculated 2 days before payday; errors in fewer than 0.2% of payslips.",
                  "Зарплата рассчитывается за 2 дня до выплаты; ошибки менее чем в 0,2% расчётных листков."),
                 2, (4.2, 4.1, 4.2, 4.2)),
    ContractSpec("ACC", "FIN", ("Month-end closing", "Закрытие месяца"),
                 ("Books closed by the 5th working day; every balance reconciled.",
                  "Закрытие месяца до 5-го рабочего дня; все остатки сверены."), 2, (4.1, 4.0, 4.1, 4.1)),
    ContractSpec("ACC", "LEGAL", ("External counsel invoice processing", "Обработка счетов внешних юристов"),
                 ("Invoices booked and paid within 10 working days.",
                  "Счета учитываются и оплачиваются за 10 рабочих дней."), 1, (4.0, 4.0, 4.1, 4.0)),
    ContractSpec("TRN", "SALES", ("Store staff training", "Обучение персонала магазинов"),
                 ("Induction for every new hire in the first week; 2 refresher sessions a quarter.",
                  "Вводное обучение для каждого новичка в первую неделю; 2 повторных занятия в квартал."), 1,
                 (None, None, None, None)),
    ContractSpec("TRN", "CS", ("Call handling training", "Обучение работе с обращениями"),
                 ("100% of new operators trained before their first shift; 1 quality coaching session a month.",
                  "100% новых операторов обучаются до первой смены; 1 разбор качества в месяц."), 1,
                 (4.0, None, 4.1, 4.0)),
    ContractSpec("KAM", "LOG", ("Wholesale orders and delivery schedules", "Оптовые заказы и графики доставки"),
                 ("Confirmed wholesale orders passed to logistics 48 hours before shipment.",
                  "Подтверждённые оптовые заказы передаются в логистику за 48 часов до отгрузки."), 2,
                 (4.1, 4.0, 4.1, 4.0)),
    ContractSpec("ECOM", "WH", ("Online order feed", "Передача онлайн-заказов на склад"),
                 ("Online orders transferred to the WMS within 5 minutes; 18:00 cut-off respected.",
                  "Онлайн-заказы передаются в WMS за 5 минут; время отсечки 18:00 соблюдается."), 2,
                 (None, 4.0, 4.1, 4.0), start=date(2026, 4, 1)),
]

# Respondent of a literal answer: the customer's head, a member (the prefix of their e-mail), or the
# customer-experience office.
HEAD, MEMBER, CX = "head", "member", "cx"


@dataclass(frozen=True)
class Answer:
    """One literal rating: scores (quality, timeliness, communication, value; None = N/A)."""

    respondent: str
    scores: tuple[int | None, int | None, int | None, int | None]
    recommend: int | None
    standard_met: str | None
    comment: Text | None = None
    no_interaction: bool = False


# (supplier, customer) -> quarter -> answers. These carry the story; the rest follow `levels`.
STORY: dict[tuple[str, str], dict[str, list[Answer]]] = {
    ("WH", "LOG"): {
        "2026-Q1": [
            Answer(HEAD, (5, 4, 4, 4), 8, "met", ("Loads are mostly ready on time.",
                                                   "Отгрузки в основном готовы вовремя.")),
            Answer(MEMBER, (4, 4, 4, 4), 8, "met"),
        ],
        "2026-Q2": [
            Answer(HEAD, (4, 3, 4, 4), 7, "partly", ("Picking waves run late on Mondays; trucks wait up to an "
                                                      "hour at the dock.",
                                                      "По понедельникам волны комплектации опаздывают; машины "
                                                      "ждут у ворот до часа.")),
            Answer(MEMBER, (4, 3, 3, 4), 6, "partly", ("The staging area is often full, so we load from the aisle.",
                                                        "Зона отгрузки часто забита, грузим прямо из прохода.")),
        ],
        "2026-Q3": [
            Answer(HEAD, (3, 3, 3, 3), 5, "missed", ("Pallets are not staged when trucks arrive; one departure in "
                                                      "five leaves late and store windows are missed.",
                                                      "Паллеты не выставлены к приезду машин; каждый пятый рейс "
                                                      "уходит с опозданием, окна доставки в магазины срываются.")),
            Answer(MEMBER, (3, 2, 3, 3), 4, "missed", ("Wrong pallets loaded twice a week; we now re-check every "
                                                        "load ourselves.",
                                                        "Дважды в неделю грузят не те паллеты; теперь мы сами "
                                                        "перепроверяем каждую отгрузку.")),
        ],
        "2026-Q4": [
            Answer(HEAD, (2, 2, 2, 3), 3, "missed", ("Trucks wait 2–3 hours at the dock; 40% of December store "
                                                      "deliveries missed their window. The warehouse says it is short "
                                                      "of pickers.",
                                                      "Машины ждут у ворот по 2–3 часа; 40% декабрьских доставок в "
                                                      "магазины не попали в окно. Склад ссылается на нехватку "
                                                      "комплектовщиков.")),
            Answer(MEMBER, (2, 1, 2, 2), 2, "missed", ("Nobody at the warehouse answers the dispatch phone after "
                                                        "18:00; we learn about missing pallets when the truck is "
                                                        "already loaded.",
                                                        "После 18:00 на складе никто не отвечает на телефон "
                                                        "диспетчерской; о недостающих паллетах узнаём, когда машина "
                                                        "уже загружена.")),
        ],
    },
    ("IT", "WH"): {
        "2026-Q1": [
            Answer(HEAD, (2, 1, 2, 3), 2, "missed", ("The WMS was down twice in January for half a day; tickets "
                                                      "wait 3–5 days for a first answer.",
                                                      "В январе WMS дважды не работала по полдня; заявки ждут "
                                                      "первого ответа 3–5 дней.")),
            Answer(MEMBER, (2, 2, 1, 3), 3, "missed", ("Scanners lose the connection in aisles 10–14; reported five "
                                                        "times, still not fixed.",
                                                        "Сканеры теряют связь в рядах 10–14; сообщали пять раз, до "
                                                        "сих пор не исправлено.")),
        ],
        "2026-Q2": [
            Answer(HEAD, (2, 2, 3, 3), 4, "partly", ("Fewer outages, but priority-1 tickets still take more than a "
                                                      "day.",
                                                      "Сбоев меньше, но заявки приоритета 1 всё ещё решаются дольше "
                                                      "суток.")),
            Answer(MEMBER, (3, 2, 3, 3), 5, "partly", ("Scanner Wi-Fi fixed in aisles 10–12 only.",
                                                        "Wi-Fi для сканеров починили только в рядах 10–12.")),
        ],
        "2026-Q3": [
            Answer(HEAD, (4, 4, 4, 3), 8, "met", ("The new on-call rota works: the last outage was fixed in 2 hours.",
                                                   "Новые дежурства работают: последний сбой устранили за 2 часа.")),
            Answer(MEMBER, (4, 4, 5, 3), 8, "met"),
        ],
        "2026-Q4": [
            Answer(HEAD, (5, 4, 5, 4), 9, "met", ("Stable all quarter; the peak-season WMS upgrade went smoothly.",
                                                   "Стабильно весь квартал; обновление WMS перед пиком прошло "
                                                   "гладко.")),
            Answer(MEMBER, (4, 5, 4, 4), 9, "met"),
        ],
    },
    ("LOG", "SALES"): {
        "2026-Q1": [Answer(HEAD, (4, 4, 4, 4), 8, "met")],
        "2026-Q2": [Answer(HEAD, (4, 3, 4, 4), 7, "partly", ("Some Monday deliveries arrive outside the window.",
                                                             "Часть доставок по понедельникам приходит вне окна."))],
        "2026-Q3": [Answer(HEAD, (3, 3, 4, 3), 5, "partly", ("Deliveries miss the morning window three times a "
                                                             "week because loads leave the warehouse late; shelves "
                                                             "stay empty until noon.",
                                                             "Три раза в неделю доставка не попадает в утреннее "
                                                             "окно, потому что машины поздно уходят со склада; "
                                                             "полки пустые до обеда."))],
    },
    ("SALES", "RET"): {
        "2026-Q4": [Answer(CX, (3, 3, 4, None), 6, "partly", ("Customer survey: fresh meals missing from the shelves "
                                                             "in the mornings; stores waiting for the delivery.",
                                                             "Опрос покупателей: по утрам на полках нет готовой "
                                                             "еды; магазины ждут доставку."))],
    },
    ("HR", "FIN"): {"2026-Q3": [Answer(HEAD, (3, 3, 2, None), 5, "partly", HR_FIN[0])]},
    ("FIN", "HR"): {"2026-Q2": [Answer(HEAD, (3, 2, 3, None), 5, "missed", FIN_HR[0])]},
    ("TRN", "CS"): {
        "2026-Q2": [Answer(HEAD, (None, None, None, None), None, None, no_interaction=True)],
    },
}

# Which contracts each quarter's respondents rated. Q1–Q3: every contract whose level for
# the quarter is given, except these (Store sales rarely answer: most of their levels are None).
SKIPPED: dict[str, set[tuple[str, str]]] = {
    "2026-Q1": {("FIN", "KAM")},
    "2026-Q2": {("QA", "PROC")},
    "2026-Q3": {("FAC", "WH")},
}
# Q4 is open: about half the agreements are rated so far.
Q4_RATED: set[tuple[str, str]] = {
    ("IT", "WH"), ("PROD", "WH"), ("HR", "WH"), ("WH", "PROD"), ("QA", "PROD"), ("PLAN", "PROC"),
    ("WH", "LOG"), ("IT", "LOG"), ("FIN", "KAM"), ("IT", "ECOM"), ("MKT", "ECOM"), ("IT", "CS"),
    ("CS", "QA"), ("DATA", "PLAN"), ("DATA", "MKT"), ("SEC", "IT"), ("FIN", "HR"), ("ACC", "HR"),
    ("HR", "FIN"), ("IT", "LEGAL"), ("HR", "TRN"),
    ("SALES", "RET"), ("CS", "RET"), ("LOG", "ONL"), ("ECOM", "ONL"), ("CS", "ONL"),
}
# Colleagues added as respondents: (supplier, customer) -> quarters they rated.
MEMBER_RATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("WH", "LOG"): tuple(QUARTERS),
    ("IT", "LOG"): ("2026-Q3", "2026-Q4"),
    ("IT", "WH"): tuple(QUARTERS),
    ("PROD", "WH"): ("2026-Q2", "2026-Q3", "2026-Q4"),
    ("WH", "PROD"): tuple(QUARTERS),
    ("QA", "PROD"): ("2026-Q3", "2026-Q4"),
    ("IT", "ECOM"): tuple(QUARTERS),
    ("IT", "CS"): ("2026-Q2", "2026-Q3", "2026-Q4"),
}

# Comments for generated ratings, by the criterion scored lowest.
LOW_COMMENTS: dict[str, list[Text]] = {
    "quality": [
        ("The output has errors that we correct ourselves.", "В результате есть ошибки, исправляем их сами."),
        ("Quality varies from week to week.", "Качество меняется от недели к неделе."),
    ],
    "timeliness": [
        ("Requests wait days before anyone picks them up.", "Заявки по несколько дней ждут, пока их возьмут."),
        ("Deadlines slip without warning.", "Сроки срываются без предупреждения."),
    ],
    "communication": [
        ("We learn about changes only after the fact.", "Об изменениях узнаём задним числом."),
        ("Hard to reach anyone when something goes wrong.", "Когда что-то идёт не так, ни до кого не дозвониться."),
    ],
    "value": [
        ("The transfer price is high for the service level we get.",
         "Трансфертная цена высока для такого уровня сервиса."),
    ],
}
LUKEWARM: list[Text] = [
    ("It works, but the agreed standard is met only in part.", "Работает, но стандарт выполняется лишь частично."),
    ("Nothing stands out; we would like faster answers.", "Ничего особенного; хотелось бы более быстрых ответов."),
]
PRAISE: list[Text] = [
    ("Reliable and quick, thank you.", "Надёжно и быстро, спасибо."),
    ("Good cooperation this quarter.", "Хорошее взаимодействие в этом квартале."),
    ("No complaints; the standard was met.", "Замечаний нет, стандарт выполнен."),
]

# Follow-ups opened by the customer's head on their own low rating, owned by the supplier's head:
# (supplier, customer), quarter, title, status, due date, closed on, response.
FOLLOW_UPS: list[tuple[tuple[str, str], str, Text, str, date, tuple[int, int, int] | None, Text | None]] = [
    (("IT", "WH"), "2026-Q1",
     ("Stabilise the WMS and answer priority-1 tickets within 4 hours",
      "Стабилизировать WMS и отвечать на заявки приоритета 1 за 4 часа"),
     "done", date(2026, 6, 30), (2026, 7, 3),
     ("Service desk reorganised, on-call rota since 1 July, scanner Wi-Fi replaced in every aisle.",
      "Служба поддержки реорганизована, с 1 июля дежурства, Wi-Fi для сканеров заменён во всех рядах.")),
    (("WH", "LOG"), "2026-Q3",
     ("Stage loads at the dock 30 minutes before the truck slot",
      "Выставлять отгрузки у ворот за 30 минут до слота машины"),
     "open", date(2026, 11, 30), None,
     ("An extra evening picking shift is planned, but HR has not filled it yet.",
      "Запланирована дополнительная вечерняя смена комплектации, но HR её ещё не укомплектовал.")),
    (("WH", "LOG"), "2026-Q4",
     ("Staff the dispatch phone until the last departure", "Держать телефон диспетчерской до последнего рейса"),
     "planned", date(2027, 1, 31), None,
     ("The dispatcher leaves at 18:00 while the last truck departs at 21:00.",
      "Диспетчер уходит в 18:00, а последняя машина отправляется в 21:00.")),
    (("HR", "FIN"), "2026-Q3",
     ("Shortlist candidates for the two analyst vacancies", "Шорт-лист кандидатов на две вакансии аналитиков"),
     "open", date(2026, 10, 31), None, None),
    (("FIN", "HR"), "2026-Q2",
     ("Approve hiring requests within 3 working days", "Согласовывать заявки на найм за 3 рабочих дня"),
     "cancelled", date(2026, 8, 31), (2026, 9, 1),
     ("Replaced by the joint HR–Finance headcount meeting every two weeks.",
      "Заменено совместной встречей HR и финансов по численности раз в две недели.")),
]

# The open quarter's loop at work: one follow-up in each state, on the lowest commented ratings:
# (state, acknowledge by, resolve by, closed on).
LOOP_STATES: list[tuple[str, date, date, tuple[int, int, int] | None]] = [
    ("acknowledged", date(2026, 11, 20), date(2026, 12, 2), None),   # resolve date passed: overdue
    ("resolved", date(2026, 11, 13), date(2026, 12, 11), None),      # awaiting the customer's confirmation
    ("open", date(2026, 12, 11), date(2027, 1, 8), None),
]
LOOP_TEXT: dict[str, Text] = {
    "title": ("Low rating: find the cause and fix it", "Низкая оценка: найти причину и устранить"),
    "root_cause": ("Requests arrive by phone and e-mail and nobody owns the queue.",
                   "Заявки приходят по телефону и почте, и очередью никто не управляет."),
    "action": ("One request queue with a named duty person every day.",
               "Единая очередь заявок с дежурным на каждый день."),
    "who": ("Deputy head of the department", "Заместитель руководителя подразделения"),
    "response": ("The queue and the duty rota run since mid-November.",
                 "Очередь и график дежурств работают с середины ноября."),
}

# Rotations: from department, to department, person, date, duration, status, notes.
ROTATIONS: list[tuple[str, str, Text, date, str, str, Text | None]] = [
    ("IT", "WH", ("Ivan Kiselev, support engineer", "Иван Киселёв, инженер поддержки"), date(2026, 6, 10), "day",
     "done", ("Worked a picking shift with the scanners; found the Wi-Fi dead zones in aisles 10–14.",
              "Отработал смену комплектации со сканерами; нашёл мёртвые зоны Wi-Fi в рядах 10–14.")),
    ("LOG", "WH", ("Dmitry Orlov", "Дмитрий Орлов"), date(2026, 11, 18), "day", "done",
     ("Picking waves are planned without the truck schedule; proposed to share the dock plan daily.",
      "Волны комплектации планируются без учёта графика машин; предложено ежедневно делиться планом ворот.")),
    ("WH", "LOG", ("Sergey Volkov", "Сергей Волков"), date(2026, 12, 16), "half_day", "planned", None),
    ("HR", "FIN", ("Anna Belyaeva, recruiter", "Анна Беляева, рекрутер"), date(2026, 12, 9), "day", "planned", None),
]
